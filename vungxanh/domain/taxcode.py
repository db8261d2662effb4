"""The tax code (mã số thuế, MST) of an establishment: shape, check digit, normal form.

Free of Django; the app layer turns each problem key into a sentence.

Structure (Thông tư 105/2020/TT-BTC, Điều 5): ten digits N1N2 N3…N9 N10 — N1N2 the
province block, N3…N9 a sequence, N10 the check digit — and, for a dependent unit (a
branch, a representative office, a business location), three more digits N11N12N13
numbering it from 001, written after a dash: ``0314409058-002``.

The check digit. The circular names N10 as a check digit without publishing how it is
computed. The rule used here is the one public implementations agree on (python-stdnum
``stdnum/vn/mst.py``, stdnum-js ``src/vn/mst.ts``; their sources: vi.wikipedia "Thuế Việt
Nam", easyinvoice.vn/ma-so-thue): weights 31, 29, 23, 19, 17, 13, 7, 5, 3 on N1…N9, and
N10 = 10 − (sum mod 11). It holds for the codes those libraries publish as examples
(0100233488, 0314409058, see the tests). Unverified: when the sum is divisible by 11 the rule gives 10,
which is not a digit; we refuse such a base, as python-stdnum does, on the belief that the
tax office never issues it — we could not confirm this. Also out of scope: the 12-digit
personal identification numbers used as tax codes for individuals from 1 July 2025
(Thông tư 86/2024/TT-BTC); in 2021 every code was 10 or 13 digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
BASE_LENGTH = 10
BRANCH_LENGTH = 3
# Spaces and dots carry no meaning ("0100 233 488", "01.00.233.488"); one dash may
# separate the branch number.
_NOISE = re.compile(r"[\s.]+")

PROBLEM_EMPTY = "tax_code_empty"
PROBLEM_CHARACTERS = "tax_code_characters"
PROBLEM_LENGTH = "tax_code_length"
PROBLEM_CHECKSUM = "tax_code_checksum"
PROBLEM_BRANCH = "tax_code_branch"


@dataclass(frozen=True)
class TaxCodeCheck:
    """The outcome of checking a typed tax code.

    ``value`` is the normal form when the code is accepted (``0314409058`` or
    ``0314409058-002``); otherwise ``problem`` is one of the ``PROBLEM_*`` keys and
    ``params`` fills its message.
    """

    value: str = ""
    problem: str = ""
    params: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problem


def check_digit(first_nine: str) -> int | None:
    """Return N10 for the first nine digits, or None where the rule gives no digit (10)."""
    total = sum(weight * int(digit) for weight, digit in zip(WEIGHTS, first_nine, strict=True))
    digit = 10 - total % 11
    return digit if digit < 10 else None


def _compact(text: str) -> tuple[str, str] | None:
    """Split a typed code into its ten base digits and branch digits, or None if not digits."""
    cleaned = _NOISE.sub("", text)
    base, dash, branch = cleaned.partition("-")
    if dash:
        if not (base.isdigit() and branch.isdigit()) or len(base) != BASE_LENGTH:
            return None
        return base, branch
    if not cleaned.isdigit():
        return None
    return cleaned[:BASE_LENGTH], cleaned[BASE_LENGTH:]


def check(text: object) -> TaxCodeCheck:
    """Check a typed tax code; accept 10 digits, or 13 with or without the dash."""
    typed = "" if text is None else str(text).strip()
    if not typed:
        return TaxCodeCheck(problem=PROBLEM_EMPTY)
    parts = _compact(typed)
    if parts is None:
        if re.fullmatch(r"[\d\s.]+(-[\d\s.]+)?", typed):
            return TaxCodeCheck(problem=PROBLEM_LENGTH, params=_length_params(typed))
        return TaxCodeCheck(problem=PROBLEM_CHARACTERS, params={"value": typed})
    base, branch = parts
    if len(base) != BASE_LENGTH or len(branch) not in (0, BRANCH_LENGTH):
        return TaxCodeCheck(problem=PROBLEM_LENGTH, params=_length_params(typed))
    if branch and int(branch) == 0:
        return TaxCodeCheck(problem=PROBLEM_BRANCH, params={"value": typed})
    if check_digit(base[:9]) != int(base[9]):
        return TaxCodeCheck(problem=PROBLEM_CHECKSUM, params={"value": typed})
    return TaxCodeCheck(value=f"{base}-{branch}" if branch else base)


def _length_params(typed: str) -> dict:
    digits = re.sub(r"\D", "", typed)
    params = {"value": typed, "digits": len(digits), "suggestion": ""}
    # A spreadsheet that stores the code as a number drops its leading zero (Hà Nội's
    # codes start with 01): name the code the person probably meant.
    if len(digits) in (BASE_LENGTH - 1, BASE_LENGTH + BRANCH_LENGTH - 1):
        padded = check("0" + digits)
        if padded.ok:
            params["suggestion"] = padded.value
    return params


def normalise(text: object) -> str:
    """Return the normal form of a valid code; raise ValueError naming the problem."""
    result = check(text)
    if not result.ok:
        raise ValueError(result.problem)
    return result.value


def base_of(code: str) -> str:
    """Return the ten-digit code of the enterprise a (normalised) code belongs to."""
    return code[:BASE_LENGTH]
