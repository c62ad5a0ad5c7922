static const char *NAMES[4] = {"nop", "add", "sub", "mul"};

const char *opcode_name(int op) {
    if (op < 0 || op >= 4) return "?";
    // ok: vb-c-unchecked-index-read
    return NAMES[op];
}
