"""Paper documents at the scanner: several scans uploaded at once, read in the background,
confirmed one after another by the incoming clerk (R9, R13, R16; NĐ 30/2020 Art. 22, Appendix I).
docs/paper-intake.md describes the flow."""
