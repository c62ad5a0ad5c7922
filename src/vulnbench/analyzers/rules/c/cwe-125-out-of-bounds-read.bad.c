static const char *NAMES[4] = {"nop", "add", "sub", "mul"};

const char *opcode_name(int op) {
    // ruleid: vb-c-unchecked-index-read
    return NAMES[op];
}
