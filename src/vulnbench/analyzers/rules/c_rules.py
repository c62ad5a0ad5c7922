"""C rules: unbounded copies, format strings, command execution, dangerous functions, and
syntactic approximations of out-of-bounds access, overflow and memory misuse."""

from __future__ import annotations

from typing import Any

from vulnbench.analyzers.rules.pack import either, search

C: dict[str, list[dict[str, Any]]] = {}
C["cwe-120-unbounded-copy"] = [
    search("vb-c-gets", ["CWE-242: Use of Inherently Dangerous Function",
                         "CWE-120: Buffer Copy without Checking Size of Input"],
           "gets() cannot bound its input.", {"pattern": "gets(...)"}, "ERROR", "c"),
    search("vb-c-unbounded-copy", "CWE-120: Buffer Copy without Checking Size of Input",
           "strcpy/strcat/sprintf write without a bound.",
           {"patterns": [either("strcpy($D, $S)", "strcat($D, $S)", "sprintf($D, $F, ...)",
                                "vsprintf($D, $F, ...)", "wcscpy($D, $S)"),
                         {"pattern-not": "strcpy($D, \"...\")"},
                         {"pattern-not": "strcat($D, \"...\")"},
                         # a literal format with only numeric / char conversions (a hex digest
                         # written byte by byte) has a bounded width
                         {"pattern-not": "sprintf($D, \"=~/^([^%]|%%|%[-+ #0]*[0-9]*"
                                         "(h|hh|l|ll|z|j)?[dioxXuc])*$/\", ...)"},
                         {"pattern-not-inside": "if (<... strlen($S) ...>) { ... }\n...\n"},
                         {"pattern-not-inside": "if (<... strlen($S) ...>) return ...;\n...\n"},
                         {"pattern-not-inside": "if (<... strlen($S) ...>) { ... } else { ... }"}
                         ]}, "WARNING", "c"),
    search("vb-c-scanf-string", "CWE-120: Buffer Copy without Checking Size of Input",
           "%s without a width in scanf reads any length.",
           {"patterns": [either("scanf(\"$F\", ...)", "fscanf($FP, \"$F\", ...)",
                                "sscanf($S, \"$F\", ...)"),
                         {"metavariable-regex": {"metavariable": "$F", "regex": ".*%s.*"}}]},
           "ERROR", "c"),
]
C["cwe-676-dangerous-function"] = [search(
    "vb-c-dangerous-function", "CWE-676: Use of Potentially Dangerous Function",
    "This libc function is unsafe by design; use the bounded variant.",
    either("strtok(...)", "tmpnam(...)", "mktemp(...)", "atoi(...)", "getwd(...)"),
    "INFO", "c")]
C["cwe-134-format-string"] = [search(
    "vb-c-format-string", "CWE-134: Use of Externally-Controlled Format String",
    "The format string is not a literal; an attacker's %n/%s reads or writes memory.",
    {"patterns": [
        either("printf($X)", "fprintf($FP, $X)", "sprintf($B, $X)", "snprintf($B, $N, $X)",
               "syslog($P, $X)", "dprintf($FD, $X)", "vprintf($X, $A)", "printf($X, ...)",
               "fprintf($FP, $X, ...)", "snprintf($B, $N, $X, ...)"),
        {"pattern-not": "printf(\"...\", ...)"}, {"pattern-not": "fprintf($FP, \"...\", ...)"},
        {"pattern-not": "sprintf($B, \"...\", ...)"},
        {"pattern-not": "snprintf($B, $N, \"...\", ...)"},
        {"pattern-not": "syslog($P, \"...\", ...)"},
        {"metavariable-regex": {"metavariable": "$X", "regex": "^(?![A-Z_][A-Z0-9_]*$)"}},
    ]}, "ERROR", "c")]
C["cwe-078-command-injection"] = [search(
    "vb-c-command-injection", "CWE-78: OS Command Injection",
    "A shell runs a command string that is not a constant.",
    {"patterns": [either("system($X)", "popen($X, ...)", "execl(\"/bin/sh\", $A, \"-c\", $X, ...)"),
                  {"pattern-not": "system(\"...\")"}, {"pattern-not": "popen(\"...\", ...)"},
                  {"pattern-not-inside": "for ($A; $B; $C) {\n  ...\n}\n...\n"},
                  {"pattern-not-inside": "for ($T *$V = $E; $B; $C) {\n  ...\n}\n...\n"},
                  {"pattern-not-inside": "for ($T $V = $E; $B; $C) {\n  ...\n}\n...\n"},
                  {"pattern-not-inside": "if (<... strpbrk(...) ...>) return $R;\n...\n"},
                  {"pattern-not-inside": "if (<... strspn(...) ...>) return $R;\n...\n"}]},
    "ERROR", "c")]
C["cwe-022-path-traversal"] = [search(
    "vb-c-path-traversal", "CWE-22: Path Traversal",
    "A file path is built from outside data without rejecting '..'.",
    {"patterns": [
        {"pattern-either": [
            {"pattern-inside": "snprintf($BUF, $N, \"$FMT\", ..., $IN, ...);\n...\n"},
            {"pattern-inside": "sprintf($BUF, \"$FMT\", ..., $IN, ...);\n...\n"},
            {"pattern-inside": "strcat($BUF, $IN);\n...\n"}]},
        {"pattern-either": [{"pattern": "fopen($BUF, ...)"}, {"pattern": "open($BUF, ...)"}]},
        {"pattern-not-inside": "if (<... strstr($Y, \"..\") ...>) { ... }\n...\n"},
        {"pattern-not-inside": "if (<... strstr($Y, \"..\") ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... strchr($Y, '/') ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... realpath(...) ...>) { ... }\n...\n"},
        {"pattern-not-inside": "if (<... $VALID($Y) ...>) return ...;\n...\n"},
    ]}, "WARNING", "c")]
C["cwe-415-double-free"] = [search(
    "vb-c-double-free", "CWE-415: Double Free", "The same pointer is freed twice.",
    {"patterns": [
        {"pattern": "free($P);\n...\nfree($P);"},
        {"pattern-not": "free($P);\n...\n$P = $V;\n...\nfree($P);"},
        {"pattern-not": "free($P);\n...\nif (...) { ... $P = $V; ... }\n...\nfree($P);"},
        {"pattern-not-inside": "if (...) { ... free($P); ... return ...; }\n...\n"},
        {"pattern-not-inside": "if (...) { ... free($P); ... goto $L; }\n...\n"},
    ]}, "ERROR", "c")]
C["cwe-416-use-after-free"] = [search(
    "vb-c-use-after-free", "CWE-416: Use After Free", "A pointer is used after it was freed.",
    {"patterns": [
        {"pattern-inside": "free($P);\n...\n"},
        {"pattern-either": [{"pattern": "$P->$F"}, {"pattern": "*$P"}, {"pattern": "$P[$I]"}]},
        {"pattern-not-inside": "free($P);\n...\n$P = $V;\n...\n"},
        {"pattern-not-inside": "if (...) { ... free($P); ... return ...; }\n...\n"},
        {"pattern-not-inside": "if (...) { ... free($P); ... break; }\n...\n"},
    ]}, "ERROR", "c")]
C["cwe-476-null-deref"] = [search(
    "vb-c-unchecked-malloc", "CWE-476: NULL Pointer Dereference",
    "The allocation result is used without checking it for NULL.",
    {"patterns": [
        {"pattern-either": [
            {"pattern": "$P = $ALLOC(...);\n...\n<... $P->$F ...>;"},
            {"pattern": "$P = $ALLOC(...);\n...\n$P[$I] = $V;"},
            {"pattern": "$P = $ALLOC(...);\n...\n*$P = $V;"},
            {"pattern": "$P = $ALLOC(...);\n...\n$COPY($P, ...);"},
            {"pattern": "$T *$P = $ALLOC(...);\n...\n<... $P->$F ...>;"},
            {"pattern": "$T *$P = $ALLOC(...);\n...\n$P[$I] = $V;"},
            {"pattern": "$T *$P = $ALLOC(...);\n...\n$COPY($P, ...);"}]},
        {"metavariable-regex": {"metavariable": "$ALLOC", "regex": "^(malloc|calloc|realloc|strdup)$"}},  # noqa: E501
        {"metavariable-regex": {"metavariable": "$COPY",
                                "regex": "^(memcpy|memset|strcpy|strncpy|memmove|snprintf|sprintf)$"}},  # noqa: E501
        {"pattern-not": "$P = $ALLOC(...);\n...\nif (<... $P ...>) ...;\n...\n"},
        {"pattern-not": "$T *$P = $ALLOC(...);\n...\nif (<... $P ...>) ...;\n...\n"},
        {"pattern-not": "$P = $ALLOC(...);\n...\nif (<... $P ...>) { ... }\n...\n"},
        {"pattern-not": "$T *$P = $ALLOC(...);\n...\nif (<... $P ...>) { ... }\n...\n"},
    ]}, "WARNING", "c")]
C["cwe-190-integer-overflow"] = [search(
    "vb-c-alloc-size-overflow", "CWE-190: Integer Overflow or Wraparound",
    "The allocation size is a product that can wrap; check it (or use calloc).",
    {"patterns": [
        either("malloc($A * $B)", "realloc($P, $A * $B)", "malloc(($A) * $B)"),
        {"pattern-not-inside": "if (<... $A > $LIM ...>) { ... }\n...\n"},
        {"pattern-not-inside": "if (<... $A > $LIM ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... $A >= $LIM ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... $B > $LIM ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... __builtin_mul_overflow(...) ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... $A > $LIM ...>) { ... }\n...\n"},
        {"metavariable-regex": {"metavariable": "$A", "regex": "^(?![0-9]+$)(?!sizeof)"}},
    ]}, "WARNING", "c")]
C["cwe-787-out-of-bounds-write"] = [search(
    "vb-c-memcpy-unchecked-length", "CWE-787: Out-of-bounds Write",
    "memcpy copies a length taken from the input into a fixed-size buffer without a check.",
    {"patterns": [
        {"pattern-inside": "$T $FN(...) { ... $ET $BUF[$SIZE]; ... }"},
        {"pattern-either": [{"pattern": "memcpy($BUF, $SRC, $LEN);"},
                            {"pattern": "strncpy($BUF, $SRC, $LEN);"},
                            {"pattern": "memcpy($BUF + $OFF, $SRC, $LEN);"}]},
        {"metavariable-regex": {"metavariable": "$LEN", "regex": "^(?!sizeof)(?![0-9]+$).*"}},
        {"pattern-not-inside": "if (<... $LEN ...>) { ... }\n...\n"},
        {"pattern-not-inside": "if (<... $LEN ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... $LEN ...>) $LEN = $X;\n...\n"},
        {"pattern-not-inside": "$LEN = <... $SIZE ...>;\n...\n"},
    ]}, "ERROR", "c")]
C["cwe-125-out-of-bounds-read"] = [search(
    "vb-c-unchecked-index-read", "CWE-125: Out-of-bounds Read",
    "An array is read at an index taken from the input without a bounds check.",
    {"patterns": [
        {"pattern-inside": "$T $FN(..., $IT $IDX, ...) { ... }"},
        {"pattern-either": [{"pattern": "return $ARR[$IDX];"},
                            {"pattern": "$V = $ARR[$IDX];"}]},
        {"pattern-not-inside": "if (<... $IDX ...>) { ... }\n...\n"},
        {"pattern-not-inside": "if (<... $IDX ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... $IDX ...>) { ... } else { ... }"},
        {"metavariable-regex": {"metavariable": "$IT",
                                "regex": "^(int|long|size_t|unsigned|short)"}},
    ]}, "WARNING", "c")]


# --- rules written against the independent dev corpus (benchmarks/corpora/dev.jsonl) ---
_READ_INTO = ["$N = {call};\n...\n$B[$N] = $Z;", "$T $N = {call};\n...\n$B[$N] = $Z;"]
_READ = either(*[form.format(call=call) for call in (
    "read($FD, $B, $SZ)", "recv($FD, $B, $SZ, $FL)", "fread($B, 1, $SZ, $FP)")
    for form in _READ_INTO])
C["cwe-787-out-of-bounds-write"].append(search(
    "vb-c-read-terminator-off-by-one", ["CWE-787: Out-of-bounds Write",
                                        "CWE-193: Off-by-one Error"],
    "The buffer is filled up to its full size and then terminated at buf[n]: one byte past "
    "the end when the read fills it; read at most size - 1 bytes.",
    {"patterns": [
        # a literal size is a bug only against a buffer shown to be no larger (a CWEval-style
        # fragment reads 4095 bytes into malloc(4096))
        {"pattern-either": [
            {"patterns": [_READ, {"metavariable-regex": {"metavariable": "$SZ",
                                                         "regex": "^(?![0-9]+$)"}}]},
            {"patterns": [
                _READ,
                {"metavariable-regex": {"metavariable": "$SZ", "regex": "^[0-9]+$"}},
                {"pattern-either": [{"pattern-inside": "$ET $B[$K];\n...\n"},
                                    {"pattern-inside": "$B = malloc($K);\n...\n"},
                                    {"pattern-inside": "$ET *$B = malloc($K);\n...\n"}]},
                {"metavariable-comparison": {"comparison": "int($K) <= int($SZ)"}}]}]},
        {"metavariable-regex": {"metavariable": "$SZ", "regex": "^(?!.*-\\s*1\\s*\\)?$)"}},
        {"pattern-not": "$N = $F(...);\n...\nif (<... $N >= $SZ ...>) { ... }\n...\n"},
        {"focus-metavariable": "$Z"},
    ]}, "ERROR", "c"))
# a length read out of the input (a byte, a big-endian pair, ntohs/ntohl) used by memcpy
# with no comparison of it anywhere in between
_LENGTH_FROM_INPUT: list[dict[str, Any]] = [
    {"pattern-inside": "$LEN = <... $P[$I] ...>;\n...\n"},
    {"pattern-inside": "$T $LEN = <... $P[$I] ...>;\n...\n"},
    {"patterns": [
        {"pattern-either": [{"pattern-inside": "$LEN = <... $NTOH(...) ...>;\n...\n"},
                            {"pattern-inside": "$T $LEN = <... $NTOH(...) ...>;\n...\n"}]},
        {"metavariable-regex": {"metavariable": "$NTOH",
                                "regex": "^(ntohs|ntohl|be16toh|be32toh|le16toh|le32toh)$"}}]},
]
C["cwe-787-out-of-bounds-write"].append(search(
    "vb-c-input-length-copy", ["CWE-125: Out-of-bounds Read", "CWE-787: Out-of-bounds Write"],
    "memcpy uses a length read out of the input without comparing it to the source or the "
    "destination size (a heartbleed-style over-read or an overflow).",
    {"patterns": [
        {"pattern-either": _LENGTH_FROM_INPUT},
        either("memcpy($D, $S, <... $LEN ...>)", "memmove($D, $S, <... $LEN ...>)"),
        *[{"pattern-not-inside": f"if (<... $LEN ...>) {tail}\n...\n"}
          for tail in ("{ ... }", "return ...;", "goto $L;", "$LEN = $X;")],
        {"pattern-not-inside": "if (<... $LEN ...>) { ... } else { ... }"},
    ]}, "ERROR", "c"))
C["cwe-190-integer-overflow"].append(search(
    "vb-c-narrow-size-arithmetic", "CWE-190: Integer Overflow or Wraparound",
    "An allocation size is a sum or product kept in an 8/16-bit integer: it wraps with "
    "ordinary input sizes; compute it in size_t and check it.",
    {"patterns": [
        {"pattern-inside": "$T $X = $E;\n...\n"},
        {"metavariable-regex": {"metavariable": "$T", "regex":
            "^(uint8_t|uint16_t|u8|u16|unsigned short|short|unsigned char|char|int8_t|int16_t)$"}},
        {"metavariable-pattern": {"metavariable": "$E",
                                  "pattern-either": [{"pattern": "$A + $B"},
                                                     {"pattern": "$A * $B"}]}},
        either("malloc(<... $X ...>)", "realloc($P, <... $X ...>)", "alloca(<... $X ...>)"),
    ]}, "WARNING", "c"))
C["cwe-190-integer-overflow"].append(search(
    "vb-c-alloc-size-overflow-var", "CWE-190: Integer Overflow or Wraparound",
    "The allocation size is a product computed beforehand with no bound on its factors.",
    {"patterns": [
        {"pattern-either": [{"pattern-inside": "$X = $A * $B;\n...\n"},
                            {"pattern-inside": "$T $X = $A * $B;\n...\n"}]},
        either("malloc($X)", "realloc($P, $X)"),
        {"metavariable-regex": {"metavariable": "$A", "regex": "^(?![0-9]+$)(?!sizeof)"}},
        *[{"pattern-not-inside": f"if (<... {cmp} ...>) {tail}\n...\n"}
          for cmp in ("$U > $M", "$U >= $M") for tail in ("return ...;", "goto $L;", "{ ... }")],
        {"pattern-not-inside": "if (<... __builtin_mul_overflow(...) ...>) return ...;\n...\n"},
    ]}, "WARNING", "c"))
C["cwe-415-double-free"].append(search(
    "vb-c-double-free-goto", "CWE-415: Double Free",
    "The pointer is freed and then the code jumps to a cleanup label that frees it again.",
    {"patterns": [
        {"pattern-inside": "$RT $FN(...) {\n  ...\n  $L:\n  ...\n  free($P);\n  ...\n}\n"},
        {"pattern-inside": "free($P);\ngoto $L;\n"},
        {"pattern": "free($P);"},
    ]}, "ERROR", "c"))


# --- the long tail: credentials, randomness, temp files, permissions, crypto, TLS ---
# names that hold a kind, a label or a prefix, not the secret itself
_NOT_A_SECRET = "(?i)^(?!.*(type|name|kind|header|hdr|prefix|scheme|method|alg|mode|field|cmd))"
_SECRET = _NOT_A_SECRET + ".*(pass|pwd|secret|token|api_?key|credential).*"
_MAC = "(?i).*(mac|hmac|token|signature|sig|digest|hash|tag|secret|otp|nonce|api_?key).*"
_CMP = ("strcmp({a}, {b})", "strncmp({a}, {b}, $N)", "memcmp({a}, {b}, $N)",
        "strcasecmp({a}, {b})")
C["cwe-798-hardcoded-credentials"] = [search(
    "vb-c-hardcoded-credential", ["CWE-798: Use of Hard-coded Credentials",
                                  "CWE-259: Use of Hard-coded Password"],
    "A password or key is compared with (or set to) a constant written in the program.",
    {"pattern-either": [
        {"patterns": [
            either(*(c.format(a="$X", b="\"$LIT\"") for c in _CMP),
                   *(c.format(a="\"$LIT\"", b="$X") for c in _CMP)),
            {"metavariable-regex": {"metavariable": "$X", "regex": _SECRET}},
            {"metavariable-regex": {"metavariable": "$LIT", "regex": "^.{4,}$"}}]},
        # a compile-time constant named as a secret (#define ADMIN_PASSWORD "...")
        {"patterns": [
            either(*(c.format(a="$X", b="$K") for c in _CMP),
                   *(c.format(a="$K", b="$X") for c in _CMP)),
            {"metavariable-regex": {"metavariable": "$K", "regex":
                "^[A-Z0-9_]*(PASS|PWD|SECRET|TOKEN|API_?KEY|CREDENTIAL)[A-Z0-9_]*$"}}]},
        {"patterns": [
            either("const char *$V = \"$LIT\";", "char $V[] = \"$LIT\";",
                   "static const char *$V = \"$LIT\";", "static const char $V[] = \"$LIT\";"),
            {"metavariable-regex": {"metavariable": "$V", "regex":
                "(?i)^(?!.*(prompt|label|msg|message|fmt|format|name|field|header|path)).*"
                "(pass|pwd|secret|token|api_?key)"}},
            {"metavariable-regex": {"metavariable": "$LIT", "regex": "^[^ %:]{4,}$"}}]},
    ]}, "ERROR", "c")]
_SECURITY_FN = ("(?i).*(token|key|salt|nonce|secret|passw|session|otp|csrf|iv|cookie|"
                "auth|reset|code|challenge|random_bytes|id).*")
C["cwe-338-weak-random"] = [search(
    "vb-c-weak-random-secret", ["CWE-338: Use of Cryptographically Weak PRNG",
                                "CWE-330: Use of Insufficiently Random Values"],
    "rand()/random() is predictable: a token, key, salt or password made from it can be "
    "guessed; read getrandom() / /dev/urandom or use RAND_bytes.",
    {"patterns": [
        {"pattern-inside": "$RT $FN(...) { ... }"},
        {"metavariable-regex": {"metavariable": "$FN", "regex": _SECURITY_FN}},
        either("rand()", "random()", "rand_r(...)", "drand48()", "lrand48()"),
    ]}, "WARNING", "c"),
    search("vb-c-time-seeded-prng", ["CWE-337: Predictable Seed in PRNG",
                                     "CWE-338: Use of Cryptographically Weak PRNG"],
           "The PRNG is seeded with the time: its output can be reproduced by anyone who "
           "knows roughly when it ran.",
           {"patterns": [
               either("srand(time(...))", "srand((unsigned) time(...))",
                      "srand((unsigned int) time(...))", "srandom(time(...))",
                      "srand(time(...) ^ $X)", "srand($X ^ time(...))"),
               {"pattern-inside": "$RT $FN(...) { ... }"},
               {"metavariable-regex": {"metavariable": "$FN", "regex": _SECURITY_FN}}]},
           "WARNING", "c")]
C["cwe-377-insecure-temp"] = [search(
    "vb-c-insecure-tempfile", "CWE-377: Insecure Temporary File",
    "The temporary file name is predictable (tmpnam/tempnam/mktemp, or a fixed /tmp path): "
    "another user can create or link it first; use mkstemp().",
    {"pattern-either": [
        either("tmpnam(...)", "tempnam(...)", "mktemp(...)", "tmpnam_r(...)"),
        {"patterns": [either("fopen(\"$P\", $M)", "open(\"$P\", ...)", "creat(\"$P\", ...)"),
                      {"metavariable-regex": {"metavariable": "$P",
                                              "regex": "^/(var/)?tmp/[^%]+$"}}]},
        {"patterns": [either("sprintf($B, \"$P\", ...)", "snprintf($B, $N, \"$P\", ...)"),
                      {"metavariable-regex": {"metavariable": "$P",
                                              "regex": "^/(var/)?tmp/.*%d"}},
                      {"pattern-not-inside": "$RT $FN(...) { ... mkstemp(...); ... }"}]},
    ]}, "WARNING", "c")]
_WORLD_WRITABLE = "^0[0-7]?[0-7][0-7][2367]$"
C["cwe-732-permissions"] = [search(
    "vb-c-permissive-mode", ["CWE-732: Incorrect Permission Assignment for Critical Resource",
                             "CWE-276: Incorrect Default Permissions"],
    "The file or folder is made writable by every user (mode o+w, or umask(0)).",
    {"pattern-either": [
        {"patterns": [either("chmod($P, $MODE)", "fchmod($FD, $MODE)", "mkdir($P, $MODE)",
                             "open($P, $FL, $MODE)", "creat($P, $MODE)",
                             "openat($D, $P, $FL, $MODE)"),
                      {"metavariable-regex": {"metavariable": "$MODE",
                                              "regex": _WORLD_WRITABLE}}]},
        {"patterns": [either("chmod($P, $MODE)", "fchmod($FD, $MODE)", "mkdir($P, $MODE)",
                             "open($P, $FL, $MODE)"),
                      {"metavariable-regex": {"metavariable": "$MODE",
                                              "regex": ".*S_I(RWXO|WOTH).*"}}]},
        {"pattern": "umask(0)"},
    ]}, "WARNING", "c")]
C["cwe-252-unchecked-return"] = [search(
    "vb-c-unchecked-privilege-call", ["CWE-252: Unchecked Return Value",
                                      "CWE-273: Improper Check for Dropped Privileges"],
    "The result of setuid/setgid/chdir/chroot is ignored: when it fails, the program goes on "
    "with privileges (or in a folder) it believes it left.",
    {"patterns": [
        {"pattern": "$F(...);"},
        {"metavariable-regex": {"metavariable": "$F", "regex":
            "^(set(e|re|res)?[ug]id|setgroups|initgroups|chroot|chdir)$"}},
        # the result kept in a variable (and checked later) or returned
        {"pattern-not-inside": "$T $V = $F(...);"}, {"pattern-not-inside": "$V = $F(...);"},
        {"pattern-not-inside": "return $F(...);"}]},
    "WARNING", "c")]
C["cwe-327-weak-crypto"] = [search(
    "vb-c-weak-cipher", "CWE-327: Use of a Broken or Risky Cryptographic Algorithm",
    "DES/3DES/RC4/Blowfish or ECB mode is broken or leaks patterns; use AES-GCM or "
    "ChaCha20-Poly1305.",
    {"patterns": [
        {"pattern-either": [{"pattern": "$F(...)"}]},
        {"metavariable-regex": {"metavariable": "$F", "regex":
            "^(EVP_(des|rc4|rc2|bf|cast5|idea|seed)_\\w*|EVP_aes_\\d+_ecb|DES_\\w+|RC4|"
            "RC4_set_key|BF_\\w*encrypt|AES_ecb_encrypt)$"}}]},
    "WARNING", "c"),
    search("vb-c-weak-hash", ["CWE-328: Use of Weak Hash",
                              "CWE-327: Use of a Broken or Risky Cryptographic Algorithm"],
           "MD5/SHA-1/MD4 are broken for integrity and far too fast for passwords; use "
           "SHA-256 (integrity) or a password KDF (PBKDF2, scrypt, Argon2).",
           {"patterns": [
               {"pattern": "$F(...)"},
               {"metavariable-regex": {"metavariable": "$F", "regex":
                   "^(MD5|MD5_Init|MD4|MD4_Init|EVP_md5|EVP_md4|SHA1|SHA1_Init|EVP_sha1)$"}}]},
           "WARNING", "c")]
C["cwe-295-tls-verification"] = [search(
    "vb-c-tls-verification-disabled", "CWE-295: Improper Certificate Validation",
    "Certificate (or host name) verification is turned off: anyone on the path can "
    "impersonate the server.",
    either("SSL_CTX_set_verify($C, SSL_VERIFY_NONE, ...)",
           "SSL_set_verify($S, SSL_VERIFY_NONE, ...)",
           "curl_easy_setopt($C, CURLOPT_SSL_VERIFYPEER, 0)",
           "curl_easy_setopt($C, CURLOPT_SSL_VERIFYPEER, 0L)",
           "curl_easy_setopt($C, CURLOPT_SSL_VERIFYPEER, FALSE)",
           "curl_easy_setopt($C, CURLOPT_SSL_VERIFYHOST, 0)",
           "curl_easy_setopt($C, CURLOPT_SSL_VERIFYHOST, 0L)"),
    "ERROR", "c")]
C["cwe-208-timing-unsafe-compare"] = [search(
    "vb-c-timing-unsafe-compare", "CWE-208: Observable Timing Discrepancy",
    "A secret (MAC, token, hash) is compared with memcmp/strcmp, which stops at the first "
    "difference: the time leaks how much matched; use CRYPTO_memcmp or a constant-time loop.",
    {"patterns": [
        either(*(c.format(a="$A", b="$B") for c in _CMP)),
        {"pattern-either": [
            {"patterns": [{"pattern": c.format(a="$S", b="$O")},
                          {"metavariable-regex": {"metavariable": "$S", "regex": _MAC}}]}
            for c in _CMP] + [
            {"patterns": [{"pattern": c.format(a="$O", b="$S")},
                          {"metavariable-regex": {"metavariable": "$S", "regex": _MAC}}]}
            for c in _CMP]},
        # a constant on one side is a keyword check (or a hard-coded secret, reported above)
        {"metavariable-regex": {"metavariable": "$A", "regex": "^[^\"]"}},
        {"metavariable-regex": {"metavariable": "$B", "regex": "^[^\"]"}},
        {"metavariable-regex": {"metavariable": "$A", "regex": _NOT_A_SECRET}},
        {"metavariable-regex": {"metavariable": "$B", "regex": _NOT_A_SECRET}},
    ]}, "WARNING", "c")]
