/* disasm.c — an instruction in words, for vmlab step --run ("ld a0, 8(sp)").
 *
 * The decoder's own result (rv_decode) printed in the assembler's syntax
 * with the ABI's register names (RISC-V psABI, "Register Convention"). A
 * compressed instruction is printed as the base instruction it expands to
 * (as it executes); no pseudo-instructions, so that what is printed is
 * exactly the operation and operands the CPU used.
 */
#include "isa/isa_impl.h"

#include <stdio.h>
#include <string.h>

static const char *const xname[33] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    "zero",   /* RV_XSINK: a write to x0 */
};
static const char *const fname[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3",
    "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11",
    "ft8", "ft9", "ft10", "ft11",
};

/* The operands of op, one letter each: d/D rd (integer/float), s/S rs1,
 * t/T rs2, R rs3 (float), i the immediate, h a shift amount, u an upper
 * immediate, b a branch or jump target, m imm(rs1), a (rs1), c a CSR and
 * s or k (its 5-bit immediate), f a fence's predecessor and successor sets. */
static const char *operands(enum rv_op op, unsigned funct3)
{
    switch (op) {
    case RV_OP_LUI: case RV_OP_AUIPC: return "du";
    case RV_OP_JAL: return "db";
    case RV_OP_JALR: return "dm";
    case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT: case RV_OP_BGE: case RV_OP_BLTU: case RV_OP_BGEU:
        return "stb";
    case RV_OP_SB: case RV_OP_SH: case RV_OP_SW: case RV_OP_SD: return "tm";
    case RV_OP_FLW: case RV_OP_FLD: return "Dm";
    case RV_OP_FSW: case RV_OP_FSD: return "Tm";
    case RV_OP_SLLI: case RV_OP_SRLI: case RV_OP_SRAI: case RV_OP_SLLIW: case RV_OP_SRLIW:
    case RV_OP_SRAIW:
        return "dsh";
    case RV_OP_FENCE: return "f";
    case RV_OP_FENCE_I: case RV_OP_ECALL: case RV_OP_EBREAK:
    case RV_OP_ILLEGAL: case RV_OP_DECODE: case RV_OP_REFETCH:
        return "";
    case RV_OP_CSR: return funct3 >= 5 ? "dck" : "dcs";
    case RV_OP_LR_W: case RV_OP_LR_D: return "da";
    case RV_OP_FSQRT_S: case RV_OP_FSQRT_D: case RV_OP_FCVT_S_D: case RV_OP_FCVT_D_S: return "DS";
    case RV_OP_FEQ_S: case RV_OP_FLT_S: case RV_OP_FLE_S: case RV_OP_FEQ_D: case RV_OP_FLT_D:
    case RV_OP_FLE_D:
        return "dST";
    case RV_OP_FCLASS_S: case RV_OP_FCLASS_D: case RV_OP_FMV_X_W: case RV_OP_FMV_X_D: return "dS";
    case RV_OP_FMV_W_X: case RV_OP_FMV_D_X: return "Ds";
    default:
        break;
    }
    if (op >= RV_OP_LB && op <= RV_OP_LWU)
        return "dm";
    if ((op >= RV_OP_ADDI && op <= RV_OP_SRAI) || (op >= RV_OP_ADDIW && op <= RV_OP_SRAIW))
        return "dsi";
    if ((op >= RV_OP_ADD && op <= RV_OP_AND) || (op >= RV_OP_ADDW && op <= RV_OP_SRAW) ||
        (op >= RV_OP_MUL && op <= RV_OP_REMUW))
        return "dst";
    if (op >= RV_OP_SC_W && op <= RV_OP_AMOMAXU_D)   /* SC_W, LR_D (above), SC_D, the AMOs */
        return "dta";
    if (op >= RV_OP_FMADD_S && op <= RV_OP_FNMADD_D)
        return "DSTR";
    if (op >= RV_OP_FADD_S && op <= RV_OP_FMAX_D)
        return "DST";
    if (op >= RV_OP_FCVT_W_S && op <= RV_OP_FCVT_LU_D)
        return "dS";
    if (op >= RV_OP_FCVT_S_W && op <= RV_OP_FCVT_D_LU)
        return "Ds";
    return "";
}

static const char *csr_name(unsigned csr, char *buf, size_t len)
{
    switch (csr) {
    case 0x001: return "fflags";
    case 0x002: return "frm";
    case 0x003: return "fcsr";
    case 0xc00: return "cycle";
    case 0xc01: return "time";
    case 0xc02: return "instret";
    default:
        snprintf(buf, len, "0x%x", csr);
        return buf;
    }
}

/* The mnemonic: the operation's name in lower case, '_' as '.'; the CSR
 * instructions by funct3; the atomics with their .aq/.rl bits. */
static void mnemonic(const struct rv_insn *d, uint32_t raw, char *buf, size_t len)
{
    static const char *const csr_ops[8] = {NULL, "csrrw", "csrrs", "csrrc",
                                           NULL, "csrrwi", "csrrsi", "csrrci"};
    if (d->op == RV_OP_CSR) {
        snprintf(buf, len, "%s", csr_ops[d->rm & 7] ? csr_ops[d->rm & 7] : "csr?");
        return;
    }
    const char *n = d->op < RV_OP_NR ? rv_op_names[d->op] : "?";
    size_t i = 0;
    for (; n[i] && i + 1 < len; i++)
        buf[i] = n[i] == '_' ? '.' : (char)(n[i] >= 'A' && n[i] <= 'Z' ? n[i] - 'A' + 'a' : n[i]);
    buf[i] = 0;
    if (d->op >= RV_OP_LR_W && d->op <= RV_OP_AMOMAXU_D && d->len == 4)
        snprintf(buf + i, len - i, "%s%s", raw & (1u << 26) ? ".aq" : "", raw & (1u << 25) ? ".rl" : "");
}

/* FENCE's pred (bits 27:24) and succ (23:20) as "iorw,rw" (FENCE.TSO: fm = 8). */
static void fence_sets(uint32_t raw, char *buf, size_t len)
{
    char set[2][5];
    for (int k = 0; k < 2; k++) {
        unsigned bits = (raw >> (k ? 20 : 24)) & 0xf, n = 0;
        for (int b = 3; b >= 0; b--)
            if (bits & (1u << b))
                set[k][n++] = "wroi"[b];
        set[k][n] = 0;
    }
    snprintf(buf, len, "%s,%s", set[0], set[1]);
}

unsigned rv_disasm(uint32_t raw, uint64_t pc, char *buf, size_t len)
{
    struct rv_insn d = {0};
    rv_decode(raw, &d);
    char name[24], csr[16];
    mnemonic(&d, raw, name, sizeof name);
    size_t at = (size_t)snprintf(buf, len, "%s", name);
    const char *ops = operands((enum rv_op)d.op, d.rm);
    for (unsigned k = 0; ops[k] && at < len; k++) {
        const char *sep = k ? ", " : " ";
        char v[48];
        switch (ops[k]) {
        case 'd': snprintf(v, sizeof v, "%s", xname[d.rd < 33 ? d.rd : 0]); break;
        case 'D': snprintf(v, sizeof v, "%s", fname[d.rd & 31]); break;
        case 's': snprintf(v, sizeof v, "%s", xname[d.rs1 & 31]); break;
        case 'S': snprintf(v, sizeof v, "%s", fname[d.rs1 & 31]); break;
        case 't': snprintf(v, sizeof v, "%s", xname[d.rs2 & 31]); break;
        case 'T': snprintf(v, sizeof v, "%s", fname[d.rs2 & 31]); break;
        case 'R': snprintf(v, sizeof v, "%s", fname[d.rs3 & 31]); break;
        case 'i': snprintf(v, sizeof v, "%d", d.imm); break;
        case 'h': snprintf(v, sizeof v, "0x%x", (unsigned)d.imm); break;
        case 'f': fence_sets(raw, v, sizeof v); break;
        case 'u': snprintf(v, sizeof v, "0x%x", (uint32_t)d.imm >> 12); break;
        case 'b': snprintf(v, sizeof v, "0x%llx", (unsigned long long)(pc + (uint64_t)(int64_t)d.imm)); break;
        case 'm': snprintf(v, sizeof v, "%d(%s)", d.imm, xname[d.rs1 & 31]); break;
        case 'a': snprintf(v, sizeof v, "(%s)", xname[d.rs1 & 31]); break;
        case 'c': snprintf(v, sizeof v, "%s", csr_name((unsigned)d.imm & 0xfff, csr, sizeof csr)); break;
        case 'k': snprintf(v, sizeof v, "%u", d.rs1 & 31u); break;
        default: v[0] = 0; break;
        }
        at += (size_t)snprintf(buf + at, len - at, "%s%s", sep, v);
    }
    return d.len ? d.len : 4;
}
