"""Cyrillic to Latin by ICAO Doc 9303, as in Russian international passports since 2014: the
name on a ВЗР/ВПМК policy must read the same as in the passport shown abroad."""

ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip


def latin(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        if low in ICAO:
            piece = ICAO[low]
            out.append(piece.capitalize() if ch != low and piece else piece)
        else:
            out.append(ch)
    return "".join(out)
