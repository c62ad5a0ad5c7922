from __future__ import annotations

from rapidfuzz import fuzz

from vulnbench.postprocess.dedup import (
    FUZZY_THRESHOLD,
    DuplicateInfo,
    find_duplicates,
    normalize_code,
)

PROG = '''import sqlite3


def get_user(db_path, username):
    conn = sqlite3.connect(db_path)
    row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    conn.close()
    return row
'''

NOISY = '''import sqlite3   
# look the user up

def get_user(db_path, username):  # parameterized
    conn = sqlite3.connect(db_path)


    row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    conn.close()   
    return row
'''  # noqa: W291 - trailing whitespace is the point

OTHER = '''import hashlib
import os


class PasswordHasher:
    def hash(self, password: str) -> str:
        salt = os.urandom(16)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)
        return salt.hex() + "$" + digest.hex()
'''


def test_normalize_drops_comments_blank_lines_and_trailing_spaces() -> None:
    assert normalize_code(NOISY) == normalize_code(PROG)
    assert "#" not in normalize_code(NOISY)


def test_normalize_keeps_hash_inside_strings() -> None:
    assert "'#not a comment'" in normalize_code("x = '#not a comment'  # but this is\n")


def test_normalize_tolerates_broken_code() -> None:
    assert normalize_code("def f(:\n    pass   \n\n") == "def f(:\n    pass"


def test_exact_duplicate_after_normalization() -> None:
    assert find_duplicates([PROG, NOISY]) == {1: DuplicateInfo(0, "exact")}
    assert find_duplicates([PROG, NOISY], fuzzy=False) == {1: DuplicateInfo(0, "exact")}


def test_fuzzy_duplicate_of_a_near_copy() -> None:
    near = PROG.replace("row", "result")
    assert fuzz.ratio(normalize_code(near), normalize_code(PROG)) > FUZZY_THRESHOLD
    assert find_duplicates([PROG, near]) == {1: DuplicateInfo(0, "fuzzy")}
    assert find_duplicates([PROG, near], fuzzy=False) == {}


def test_clearly_different_programs_are_kept() -> None:
    assert find_duplicates([PROG, OTHER]) == {}


def test_duplicates_point_at_the_earliest_kept_sample_in_index_order() -> None:
    near = PROG.replace("row", "result")
    codes = [OTHER, PROG, NOISY, near, OTHER + "\n\n# trailing comment\n"]
    assert find_duplicates(codes) == {
        2: DuplicateInfo(1, "exact"),
        3: DuplicateInfo(1, "fuzzy"),
        4: DuplicateInfo(0, "exact"),
    }


def test_none_entries_take_no_part() -> None:
    assert find_duplicates([None, PROG, None, NOISY, None]) == {3: DuplicateInfo(1, "exact")}
    assert find_duplicates([None, None]) == {}


def test_threshold_boundary_is_strictly_above_80() -> None:
    base = "abcdefghij"
    at_80 = "abcdefghXY"  # 2 of 10 characters replaced: InDel ratio exactly 80
    above = "abcdefghiX"  # ratio 90
    assert fuzz.ratio(base, at_80) == FUZZY_THRESHOLD == 80.0
    assert find_duplicates([base, at_80]) == {}
    assert find_duplicates([base, above]) == {1: DuplicateInfo(0, "fuzzy")}
