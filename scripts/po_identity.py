"""Fill untranslated entries of a Russian-source .po with their msgid (plural: all three forms)."""

import re
import sys
from pathlib import Path

HEADER_FIXES = {
    '"Language: \\n"': '"Language: ru\\n"',
    '"Project-Id-Version: PACKAGE VERSION\\n"': '"Project-Id-Version: insured-portal\\n"',
}


def fill(text: str) -> str:
    for old, new in HEADER_FIXES.items():
        text = text.replace(old, new)
    text = text.replace('#, fuzzy\nmsgid ""', 'msgid ""', 1)
    blocks = text.split("\n\n")
    out = []
    for block in blocks:
        single = re.search(r'^msgid (".*?")\nmsgstr ""$', block, re.S | re.M)
        plural = re.search(r'^msgid_plural (".*?")\n(msgstr\[0\] ""\n?.*)$', block, re.S | re.M)
        if plural:
            msgid = re.search(r'^msgid (".*?")\nmsgid_plural', block, re.S | re.M).group(1)
            forms = plural.group(1)
            head = block[: plural.start(2)]
            block = head + f"msgstr[0] {msgid}\nmsgstr[1] {forms}\nmsgstr[2] {forms}"
        elif single and single.group(1) != '""':
            block = block[: single.end(1)] + f"\nmsgstr {single.group(1)}"
        out.append(block)
    return "\n\n".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1])
    path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
