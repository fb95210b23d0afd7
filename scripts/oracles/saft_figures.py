#!/usr/bin/env python3
"""Figures of every SAF-T Financial file under ../shared/fixtures/saft/samples, computed independently of saldo.

The oracle behind the literal figures of test/unit/formats/saft/parseSaft.samples.test.ts and
test/unit/imports/inspectFile.saft.test.ts (accounts, their opening and closing balances and sums, transactions,
lines, debit and credit totals, the declared control totals). Standard library only (xml.etree); run from the
repository root:

    python3 scripts/oracles/saft_figures.py [../shared/fixtures/saft/samples]

Semantics (SAF-T Financial NO XSD): elements are matched by local name (any namespace or none). An account's
opening = OpeningDebitBalance - OpeningCreditBalance, closing likewise (absent sides count 0, an account with
neither side has none). A line's amount = DebitAmount/Amount - CreditAmount/Amount; debit totals sum the lines'
DebitAmount, credit totals their CreditAmount. Amounts are read as decimal strings straight to øre (no floats).
"""
import json
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def child(element, name):
    for item in element:
        if local(item.tag) == name:
            return item
    return None


def children(element, name):
    return [item for item in element if local(item.tag) == name]


def descendants(element, name):
    return [item for item in element.iter() if local(item.tag) == name]


def ore(text) -> int:
    return int(Decimal(text.strip()) * 100)


def fmt(value: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def text_of(element, name):
    item = child(element, name) if element is not None else None
    return item.text.strip() if item is not None and item.text is not None else None


def balance(element, kind: str):
    debit = text_of(element, f"{kind}DebitBalance")
    credit = text_of(element, f"{kind}CreditBalance")
    if debit is None and credit is None:
        return None
    return (ore(debit) if debit else 0) - (ore(credit) if credit else 0)


def figures(path: Path):
    root = ET.parse(path).getroot()
    if local(root.tag) != "AuditFile" or "CashRegister" in root.tag:
        return None
    accounts = {}
    for account in descendants(root, "Account"):
        account_id = text_of(account, "AccountID")
        if account_id:
            accounts[account_id] = {"opening": balance(account, "Opening"), "closing": balance(account, "Closing")}
    transactions = lines = debit = credit = 0
    for transaction in descendants(root, "Transaction"):
        transactions += 1
        for line in children(transaction, "Line"):
            if not text_of(line, "AccountID"):
                continue
            lines += 1
            for side, name in ((1, "DebitAmount"), (-1, "CreditAmount")):
                amount = child(line, name)
                if amount is not None and text_of(amount, "Amount") is not None:
                    value = ore(text_of(amount, "Amount"))
                    if side > 0:
                        debit += value
                    else:
                        credit += value
    entries = next(iter(descendants(root, "GeneralLedgerEntries")), None)
    return {
        "accounts": len(accounts),
        "sumOpening": fmt(sum(a["opening"] or 0 for a in accounts.values())),
        "sumClosing": fmt(sum(a["closing"] or 0 for a in accounts.values())),
        "balances": {k: [fmt(v["opening"]) if v["opening"] is not None else None, fmt(v["closing"]) if v["closing"] is not None else None] for k, v in accounts.items()},
        "transactions": transactions,
        "lines": lines,
        "totalDebit": fmt(debit),
        "totalCredit": fmt(credit),
        "declared": {
            "numberOfEntries": text_of(entries, "NumberOfEntries"),
            "totalDebit": text_of(entries, "TotalDebit"),
            "totalCredit": text_of(entries, "TotalCredit"),
        },
    }


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures/saft/samples")
    result = {}
    for path in sorted(root.glob("*.xml")):
        value = figures(path)
        if value is not None:
            result[path.name] = value
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
