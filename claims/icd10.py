"""ICD-10 (МКБ-10) codes as people and clinics type them, made into the dictionary's form.

Registers and operators write «к021», «K 02,1», «k02.1†»: every way a code comes in (the
register import, the dictionary's own file, the admin search, the demo data) goes through
`icd10_normalize`, and only a code matching ICD10_CODE_RE is looked up.
"""

import re

ICD10_CODE_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{1,2})?$")

# Cyrillic letters that look like the Latin ones of ICD-10 codes (upper and lower case): a
# register typed on a Russian keyboard layout gives «К02.1» with a Cyrillic «К».
_LOOKALIKES = str.maketrans(
    "АВСЕНКМОРТХУавсенкмортху",
    "ABCEHKMOPTXYABCEHKMOPTXY",
)
# Spaces of every kind, and the dagger/asterisk marks of the dual (etiology/manifestation) coding
# that some registers copy with the code.
_NOISE_RE = re.compile(r"[\s\u00a0\u2020\u2021*+]+")
_UNDOTTED_RE = re.compile(r"^([A-Z][0-9]{2})([0-9]{1,2})$")


def icd10_normalize(text: str | None) -> str:
    """The code in the dictionary's form: Latin upper case, no spaces, a dot before the
    subcategory («к021» → «K02.1», «J06,9» → «J06.9», «A17.0†» → «A17.0»). What cannot be made
    into a code is returned cleaned but unchanged otherwise: `icd10_is_valid` tells."""
    code = _NOISE_RE.sub("", text or "").translate(_LOOKALIKES).upper().replace(",", ".")
    code = code.rstrip(".")
    if match := _UNDOTTED_RE.match(code):
        code = f"{match[1]}.{match[2]}"
    return code


def icd10_is_valid(code: str) -> bool:
    return bool(ICD10_CODE_RE.match(code))
