"""Fill untranslated entries of a Russian-source .po with their msgid.

The source strings are Russian, so a singular entry's msgstr is its msgid. A counted noun
(`ngettext`, `{% blocktranslate count %}`) has three Russian forms — 1 услуга, 2 услуги, 5 услуг —
while the source gives two (msgid: one, msgid_plural: many): a new plural entry is filled with
[one, many, many] and its «few» form (msgstr[1]) is written by hand once; hand-written forms are
kept on every later run. tests/core/test_messages.py fails while a plural entry's few form is
missing.

msgmerge's guesses (`#, fuzzy`, borrowed from a similar string) are never right for a
Russian-source catalogue: they are dropped and the entry filled from its own msgid.
"""

import importlib.util
import re
import sys
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "portal" / "core" / "catalogue.py"

PLURAL_FORMS = (
    '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && '
    '(n%100<10 || n%100>=20) ? 1 : 2);\\n"'
)
HEADER_FIXES = {
    '"Language: \\n"': '"Language: ru\\n"',
    '"Project-Id-Version: PACKAGE VERSION\\n"': '"Project-Id-Version: insured-portal\\n"',
}


def _unfuzz(block: str) -> str:
    """Drop msgmerge's guess: the fuzzy flag, the previous msgid, and the borrowed msgstr."""
    lines = [line for line in block.split("\n") if not line.startswith("#|")]
    out = []
    for line in lines:
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() != "fuzzy"]
            if flags:
                out.append("#, " + ", ".join(flags))
            continue
        out.append(line)
    block = "\n".join(out)
    block = re.sub(r'^(msgstr(?:\[\d\])?) ".*?"(?=\nmsgstr|\Z)', r'\1 ""', block, flags=re.S | re.M)
    return re.sub(r"^msgstr\[3\] .*?(?=\Z)", "", block, flags=re.S | re.M).rstrip("\n")


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _catalogue() -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
    """ADMIN_WORDS and PLURALS of portal/core/catalogue.py (plain data, no Django needed)."""
    spec = importlib.util.spec_from_file_location("catalogue", CATALOGUE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ADMIN_WORDS, module.PLURALS


def _text(quoted: str) -> str:
    """The text of a .po string, its continuation lines joined."""
    text = "".join(re.findall(r'"(.*?)"\n', quoted + "\n", re.S))
    return text.replace('\\"', '"').replace("\\\\", "\\")


def fill(text: str) -> str:
    overrides, plurals = _catalogue()
    for old, new in HEADER_FIXES.items():
        text = text.replace(old, new)
    text = re.sub(r'"Plural-Forms:.*?\\n"', lambda _: PLURAL_FORMS, text, count=1, flags=re.S)
    text = text.replace('#, fuzzy\nmsgid ""', 'msgid ""', 1)
    blocks = text.split("\n\n")
    out = []
    for block in blocks:
        if (
            re.search(r"^#,.*\bfuzzy\b", block, re.M)
            and 'msgid ""\nmsgstr ""\n"Project' not in block
        ):
            block = _unfuzz(block)
        block = re.sub(r"\nmsgstr\[3\] .*?(?=\Z)", "", block, flags=re.S)
        whole = re.search(r'^msgid ((?:".*?"\n)+)msgstr ', block + "\n", re.S | re.M)
        if whole and "msgid_plural" not in block:
            text = _text(whole.group(1))
            if text in overrides:
                start = block.index("\nmsgstr ", whole.start())
                block = block[:start] + f"\nmsgstr {_po_string(overrides[text])}"
                out.append(block)
                continue
        single = re.search(r'^msgid (".*?")\nmsgstr ""$', block, re.S | re.M)
        plural = re.search(r'^msgid_plural (".*?")\n(msgstr\[0\] ""\n?.*)$', block, re.S | re.M)
        written = re.search(
            r'^msgid (".*?")\nmsgid_plural (".*?")\nmsgstr\[0\]', block, re.S | re.M
        )
        if written and _text(written.group(1)) in plurals:
            forms = plurals[_text(written.group(1))]
            head = block[: written.end() - len("msgstr[0]")]
            block = head + "\n".join(f"msgstr[{i}] {_po_string(f)}" for i, f in enumerate(forms))
        elif plural:
            msgid = re.search(r'^msgid (".*?")\nmsgid_plural', block, re.S | re.M).group(1)
            if not re.search("[а-яё]", msgid, re.I):
                out.append(block)  # an English msgid (an admin template's): Django's catalogue
                continue
            forms = plural.group(1)
            head = block[: plural.start(2)]
            block = head + f"msgstr[0] {msgid}\nmsgstr[1] {forms}\nmsgstr[2] {forms}"
        elif single and single.group(1) != '""' and re.search("[а-яё]", single.group(1), re.I):
            block = block[: single.end(1)] + f"\nmsgstr {single.group(1)}"
        out.append(block)
    return "\n\n".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1])
    path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
