#!/usr/bin/env python3
"""Figures of every SIE file under ../shared/fixtures/sie, computed independently of saldo's parser.

The oracle behind the literals of test/unit/formats/sie/parseSie.sharedFixtures.test.ts (accounts, the year-0 and
year -1 sums, vouchers, rows, debit, net). Standard library only; run from the repository root:

    python3 scripts/oracles/sie_figures.py [../shared/fixtures/sie]

Semantics (SIE 4B): a record is a line starting with '#'; fields are plain words, "quoted" values (\\" escapes) or
{object lists}. #IB/#UB/#RES with year 0 or -1 and no (non-empty) object list give an account's opening, closing
balance and result; the first of a kind counts. An account is declared by #KONTO or given a figure by a balance
record. Closing = #UB, else #RES, else 0 when the account has any figure that year (SIE 4B §5.17). Rows are #TRANS
records inside a #VER block (never #RTRANS/#BTRANS); debit is the sum of the positive rows, net the sum of all.
Amounts are read as decimal strings straight to öre (no floats).
"""
import json
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"?|\{[^}]*\}?|[^\s"{}]+')


def fields(line: str):
    out = []
    for match in TOKEN.finditer(line):
        text = match.group(0)
        if text.startswith('"'):
            out.append(match.group(1).replace('\\"', '"'))
        elif text.startswith("{"):
            out.append(("list", text.strip("{}").split()))
        else:
            out.append(text)
    return out


def ore(text):
    if not isinstance(text, str) or not re.fullmatch(r"-?\d+(\.\d{1,2})?", text):
        return None
    try:
        return int(Decimal(text) * 100)
    except InvalidOperation:
        return None


def fmt(value: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def figures(path: Path):
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp437")
    accounts = {}
    vouchers = rows = debit = net = 0
    in_voucher = False
    depth = 0
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if stripped == "{":
            depth += 1
            continue
        if stripped == "}":
            depth = max(0, depth - 1)
            if depth == 0:
                in_voucher = False
            continue
        if not stripped.startswith("#"):
            continue
        label, *rest = stripped.split(None, 1)
        label = label.upper()
        values = fields(rest[0]) if rest else []
        if label == "#VER":
            vouchers += 1
            in_voucher = True
        elif label == "#TRANS" and in_voucher:
            amount_index = 2 if len(values) > 1 and isinstance(values[1], tuple) else 1
            amount = ore(values[amount_index]) if len(values) > amount_index else None
            if values and isinstance(values[0], str) and values[0] and amount is not None:
                rows += 1
                net += amount
                debit += max(amount, 0)
        elif label == "#KONTO" and values and isinstance(values[0], str) and values[0]:
            accounts.setdefault(values[0], {})
        elif label in ("#IB", "#UB", "#RES") and len(values) >= 2 and values[0] in ("0", "-1"):
            account = values[1]
            if not isinstance(account, str) or not account:
                continue
            amount_index = 2
            if len(values) > 2 and isinstance(values[2], tuple):
                if values[2][1]:
                    continue
                amount_index = 3
            figures_of = accounts.setdefault(account, {})
            amount = ore(values[amount_index]) if len(values) > amount_index else None
            key = (label, values[0])
            if amount is not None and key not in figures_of:
                figures_of[key] = amount
            elif amount is None:
                figures_of.setdefault(("unreadable", key), True)

    def sums(year: str):
        opening = closing = 0
        for figures_of in accounts.values():
            if not any(isinstance(k, tuple) and len(k) == 2 and k[1] == year and k[0] != "unreadable" for k in figures_of):
                continue
            opening += figures_of.get(("#IB", year), 0)
            closing += figures_of.get(("#UB", year), figures_of.get(("#RES", year), 0))
        return opening, closing

    opening, closing = sums("0")
    prior_opening, prior_closing = sums("-1")
    return {
        "accounts": len(accounts),
        "sumOpening": fmt(opening),
        "sumClosing": fmt(closing),
        "sumPriorOpening": fmt(prior_opening),
        "sumPriorClosing": fmt(prior_closing),
        "vouchers": vouchers,
        "lines": rows,
        "debit": fmt(debit),
        "net": fmt(net),
    }


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures/sie")
    result = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.upper() in (".SE", ".SI", ".SIE"):
            result[path.relative_to(root).as_posix()] = figures(path)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
