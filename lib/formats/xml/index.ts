/**
 * Streaming XML for saldo's SAF-T import: a byte-level tokenizer ({@link XmlTokenizer}) and a raw pass over a whole
 * stream ({@link tokenizeXml}, {@link rawTokenizeXml}) used as the benchmark floor.
 *
 * Why a tokenizer of our own rather than saxes: saxes decodes every byte to a string and walks it character by
 * character; SAF-T needs ≥ 120 MB/s on one core, with memory flat. Measured on this machine (Node 20.20, 2 shared
 * cores, noisy: figures are the range over several runs) on bench/generateSaft.ts output, 350 000 transactions × 3
 * lines = 1 050 000 lines, 576 MB, read with `fileSource` (1 MB chunks at the time; 256 KiB since):
 *
 * | pass                                                 | MB/s      | peak RSS (whole process) |
 * |------------------------------------------------------|-----------|--------------------------|
 * | saxes 6, tokenizing only (TextDecoder + SaxesParser) | 50 – 129  | ≈ 197 MB                 |
 * | rawTokenizeXml (this tokenizer, no records)          | 190 – 275 | ≈ 115 MB                 |
 * | parseSaft (all records built and consumed)           | 148 – 166 | ≈ 105 – 136 MB           |
 *
 * (An empty `node bin/run-ts.js` process already takes ≈ 71 MB of RSS.) Low figures were taken while other jobs
 * loaded the machine (load average ≈ 5); on a quiet run saxes did 103–129 MB/s and parseSaft 150–166 MB/s.
 */
export { XmlTokenizer, type XmlTokenizerOptions } from "./XmlTokenizer.ts";
export { rawTokenizeXml, tokenizeXml } from "./tokenizeXml.ts";
