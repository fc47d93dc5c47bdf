/* decode.c — RV64GC instruction decoding (unprivileged spec: "RV32I Base
 * Integer Instruction Set", "RV64I", "M", "A", "F", "D", "Zicsr",
 * "Zifencei", and the C chapter's RVC listings). A compressed instruction
 * decodes to the base operation it expands to. Anything not in RV64GC,
 * every reserved encoding, and a reserved rounding mode decode to ILLEGAL.
 */
#include "isa/isa_impl.h"

#include <string.h>

const char *const rv_op_names[RV_OP_NR] = {
#define RV_OP_NAME(name, rd) #name,
    RV_OPS(RV_OP_NAME)
#undef RV_OP_NAME
};

/* Does the operation write an integer rd? */
static const bool writes_x[RV_OP_NR] = {
#define RV_OP_WX(name, rd) [RV_OP_##name] = (#rd[1] == 'x'),
    RV_OPS(RV_OP_WX)
#undef RV_OP_WX
};

static inline uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int32_t sext(uint32_t v, unsigned width)
{
    return (int32_t)(v << (32 - width)) >> (32 - width);
}

static void set(struct rv_insn *d, enum rv_op op, unsigned rd, unsigned rs1, unsigned rs2, int32_t imm)
{
    d->op = (uint16_t)op;
    d->rd = (uint8_t)rd;
    d->rs1 = (uint8_t)rs1;
    d->rs2 = (uint8_t)rs2;
    d->imm = imm;
}

/* ---- 32-bit instructions ---- */

static int32_t imm_i(uint32_t w) { return (int32_t)w >> 20; }
static int32_t imm_s(uint32_t w) { return sext(bits(w, 31, 25) << 5 | bits(w, 11, 7), 12); }
static int32_t imm_b(uint32_t w)
{
    return sext(bits(w, 31, 31) << 12 | bits(w, 7, 7) << 11 | bits(w, 30, 25) << 5 | bits(w, 11, 8) << 1, 13);
}
static int32_t imm_u(uint32_t w) { return (int32_t)(w & 0xfffff000u); }
static int32_t imm_j(uint32_t w)
{
    return sext(bits(w, 31, 31) << 20 | bits(w, 19, 12) << 12 | bits(w, 20, 20) << 11 | bits(w, 30, 21) << 1, 21);
}

static bool rm_ok(unsigned rm)
{
    return rm <= 4 || rm == 7;
}

static enum rv_op op_fp(uint32_t w, unsigned *rm_used)
{
    unsigned f7 = bits(w, 31, 25), f3 = bits(w, 14, 12), rs2 = bits(w, 24, 20);
    *rm_used = 1;
    switch (f7) {
    case 0x00: return RV_OP_FADD_S;
    case 0x01: return RV_OP_FADD_D;
    case 0x04: return RV_OP_FSUB_S;
    case 0x05: return RV_OP_FSUB_D;
    case 0x08: return RV_OP_FMUL_S;
    case 0x09: return RV_OP_FMUL_D;
    case 0x0c: return RV_OP_FDIV_S;
    case 0x0d: return RV_OP_FDIV_D;
    case 0x2c: return rs2 == 0 ? RV_OP_FSQRT_S : RV_OP_ILLEGAL;
    case 0x2d: return rs2 == 0 ? RV_OP_FSQRT_D : RV_OP_ILLEGAL;
    case 0x20: return rs2 == 1 ? RV_OP_FCVT_S_D : RV_OP_ILLEGAL;
    case 0x21: return rs2 == 0 ? RV_OP_FCVT_D_S : RV_OP_ILLEGAL;
    case 0x60: case 0x61: case 0x68: case 0x69: {
        static const enum rv_op cvt[4][4] = {
            {RV_OP_FCVT_W_S, RV_OP_FCVT_WU_S, RV_OP_FCVT_L_S, RV_OP_FCVT_LU_S},
            {RV_OP_FCVT_W_D, RV_OP_FCVT_WU_D, RV_OP_FCVT_L_D, RV_OP_FCVT_LU_D},
            {RV_OP_FCVT_S_W, RV_OP_FCVT_S_WU, RV_OP_FCVT_S_L, RV_OP_FCVT_S_LU},
            {RV_OP_FCVT_D_W, RV_OP_FCVT_D_WU, RV_OP_FCVT_D_L, RV_OP_FCVT_D_LU},
        };
        if (rs2 > 3)
            return RV_OP_ILLEGAL;
        return cvt[(f7 >> 2 & 2) | (f7 & 1)][rs2];
    }
    }
    *rm_used = 0;
    switch (f7) {
    case 0x10: return f3 == 0 ? RV_OP_FSGNJ_S : f3 == 1 ? RV_OP_FSGNJN_S : f3 == 2 ? RV_OP_FSGNJX_S : RV_OP_ILLEGAL;
    case 0x11: return f3 == 0 ? RV_OP_FSGNJ_D : f3 == 1 ? RV_OP_FSGNJN_D : f3 == 2 ? RV_OP_FSGNJX_D : RV_OP_ILLEGAL;
    case 0x14: return f3 == 0 ? RV_OP_FMIN_S : f3 == 1 ? RV_OP_FMAX_S : RV_OP_ILLEGAL;
    case 0x15: return f3 == 0 ? RV_OP_FMIN_D : f3 == 1 ? RV_OP_FMAX_D : RV_OP_ILLEGAL;
    case 0x50: return f3 == 2 ? RV_OP_FEQ_S : f3 == 1 ? RV_OP_FLT_S : f3 == 0 ? RV_OP_FLE_S : RV_OP_ILLEGAL;
    case 0x51: return f3 == 2 ? RV_OP_FEQ_D : f3 == 1 ? RV_OP_FLT_D : f3 == 0 ? RV_OP_FLE_D : RV_OP_ILLEGAL;
    case 0x70:
        if (rs2 != 0)
            return RV_OP_ILLEGAL;
        return f3 == 0 ? RV_OP_FMV_X_W : f3 == 1 ? RV_OP_FCLASS_S : RV_OP_ILLEGAL;
    case 0x71:
        if (rs2 != 0)
            return RV_OP_ILLEGAL;
        return f3 == 0 ? RV_OP_FMV_X_D : f3 == 1 ? RV_OP_FCLASS_D : RV_OP_ILLEGAL;
    case 0x78: return rs2 == 0 && f3 == 0 ? RV_OP_FMV_W_X : RV_OP_ILLEGAL;
    case 0x79: return rs2 == 0 && f3 == 0 ? RV_OP_FMV_D_X : RV_OP_ILLEGAL;
    }
    return RV_OP_ILLEGAL;
}

static enum rv_op op_amo(uint32_t w)
{
    unsigned f3 = bits(w, 14, 12), f5 = bits(w, 31, 27);
    if (f3 != 2 && f3 != 3)
        return RV_OP_ILLEGAL;
    bool d = f3 == 3;
    switch (f5) {
    case 0x02: return bits(w, 24, 20) ? RV_OP_ILLEGAL : d ? RV_OP_LR_D : RV_OP_LR_W;
    case 0x03: return d ? RV_OP_SC_D : RV_OP_SC_W;
    case 0x01: return d ? RV_OP_AMOSWAP_D : RV_OP_AMOSWAP_W;
    case 0x00: return d ? RV_OP_AMOADD_D : RV_OP_AMOADD_W;
    case 0x04: return d ? RV_OP_AMOXOR_D : RV_OP_AMOXOR_W;
    case 0x0c: return d ? RV_OP_AMOAND_D : RV_OP_AMOAND_W;
    case 0x08: return d ? RV_OP_AMOOR_D : RV_OP_AMOOR_W;
    case 0x10: return d ? RV_OP_AMOMIN_D : RV_OP_AMOMIN_W;
    case 0x14: return d ? RV_OP_AMOMAX_D : RV_OP_AMOMAX_W;
    case 0x18: return d ? RV_OP_AMOMINU_D : RV_OP_AMOMINU_W;
    case 0x1c: return d ? RV_OP_AMOMAXU_D : RV_OP_AMOMAXU_W;
    }
    return RV_OP_ILLEGAL;
}

static bool csr_known(unsigned csr)
{
    return csr == 0x001 || csr == 0x002 || csr == 0x003 || csr == 0xc00 || csr == 0xc01 || csr == 0xc02;
}

static void decode32(uint32_t w, struct rv_insn *d)
{
    unsigned rd = bits(w, 11, 7), rs1 = bits(w, 19, 15), rs2 = bits(w, 24, 20);
    unsigned f3 = bits(w, 14, 12), f7 = bits(w, 31, 25);
    enum rv_op op = RV_OP_ILLEGAL;
    int32_t imm = 0;
    d->len = 4;
    switch (w & 0x7f) {
    case 0x37: op = RV_OP_LUI; imm = imm_u(w); break;
    case 0x17: op = RV_OP_AUIPC; imm = imm_u(w); break;
    case 0x6f: op = RV_OP_JAL; imm = imm_j(w); break;
    case 0x67: if (f3 == 0) { op = RV_OP_JALR; imm = imm_i(w); } break;
    case 0x63: {
        static const enum rv_op br[8] = {RV_OP_BEQ, RV_OP_BNE, RV_OP_ILLEGAL, RV_OP_ILLEGAL,
                                         RV_OP_BLT, RV_OP_BGE, RV_OP_BLTU, RV_OP_BGEU};
        op = br[f3];
        imm = imm_b(w);
        break;
    }
    case 0x03: {
        static const enum rv_op ld[8] = {RV_OP_LB, RV_OP_LH, RV_OP_LW, RV_OP_LD,
                                         RV_OP_LBU, RV_OP_LHU, RV_OP_LWU, RV_OP_ILLEGAL};
        op = ld[f3];
        imm = imm_i(w);
        break;
    }
    case 0x23: {
        static const enum rv_op st[8] = {RV_OP_SB, RV_OP_SH, RV_OP_SW, RV_OP_SD,
                                         RV_OP_ILLEGAL, RV_OP_ILLEGAL, RV_OP_ILLEGAL, RV_OP_ILLEGAL};
        op = st[f3];
        imm = imm_s(w);
        break;
    }
    case 0x13:
        imm = imm_i(w);
        switch (f3) {
        case 0: op = RV_OP_ADDI; break;
        case 2: op = RV_OP_SLTI; break;
        case 3: op = RV_OP_SLTIU; break;
        case 4: op = RV_OP_XORI; break;
        case 6: op = RV_OP_ORI; break;
        case 7: op = RV_OP_ANDI; break;
        case 1: if (bits(w, 31, 26) == 0) { op = RV_OP_SLLI; imm = (int32_t)bits(w, 25, 20); } break;
        case 5:
            if (bits(w, 31, 26) == 0) { op = RV_OP_SRLI; imm = (int32_t)bits(w, 25, 20); }
            else if (bits(w, 31, 26) == 0x10) { op = RV_OP_SRAI; imm = (int32_t)bits(w, 25, 20); }
            break;
        }
        break;
    case 0x1b:
        imm = imm_i(w);
        switch (f3) {
        case 0: op = RV_OP_ADDIW; break;
        case 1: if (f7 == 0) { op = RV_OP_SLLIW; imm = (int32_t)rs2; } break;
        case 5:
            if (f7 == 0) { op = RV_OP_SRLIW; imm = (int32_t)rs2; }
            else if (f7 == 0x20) { op = RV_OP_SRAIW; imm = (int32_t)rs2; }
            break;
        }
        break;
    case 0x33:
        if (f7 == 0) {
            static const enum rv_op o[8] = {RV_OP_ADD, RV_OP_SLL, RV_OP_SLT, RV_OP_SLTU,
                                            RV_OP_XOR, RV_OP_SRL, RV_OP_OR, RV_OP_AND};
            op = o[f3];
        } else if (f7 == 0x20) {
            op = f3 == 0 ? RV_OP_SUB : f3 == 5 ? RV_OP_SRA : RV_OP_ILLEGAL;
        } else if (f7 == 1) {
            static const enum rv_op o[8] = {RV_OP_MUL, RV_OP_MULH, RV_OP_MULHSU, RV_OP_MULHU,
                                            RV_OP_DIV, RV_OP_DIVU, RV_OP_REM, RV_OP_REMU};
            op = o[f3];
        }
        break;
    case 0x3b:
        if (f7 == 0)
            op = f3 == 0 ? RV_OP_ADDW : f3 == 1 ? RV_OP_SLLW : f3 == 5 ? RV_OP_SRLW : RV_OP_ILLEGAL;
        else if (f7 == 0x20)
            op = f3 == 0 ? RV_OP_SUBW : f3 == 5 ? RV_OP_SRAW : RV_OP_ILLEGAL;
        else if (f7 == 1) {
            static const enum rv_op o[8] = {RV_OP_MULW, RV_OP_ILLEGAL, RV_OP_ILLEGAL, RV_OP_ILLEGAL,
                                            RV_OP_DIVW, RV_OP_DIVUW, RV_OP_REMW, RV_OP_REMUW};
            op = o[f3];
        }
        break;
    case 0x0f:
        /* FENCE (every fm/pred/succ, as the spec asks of unknown ones) and
         * FENCE.I; their unused fields are reserved for hints */
        if (f3 == 0)
            op = RV_OP_FENCE;
        else if (f3 == 1)
            op = RV_OP_FENCE_I;
        break;
    case 0x73:
        if (f3 == 0) {
            if (rd == 0 && rs1 == 0 && w >> 20 == 0)
                op = RV_OP_ECALL;
            else if (rd == 0 && rs1 == 0 && w >> 20 == 1)
                op = RV_OP_EBREAK;
        } else if (f3 != 4 && csr_known(w >> 20)) {
            op = RV_OP_CSR;
            imm = (int32_t)(w >> 20);
            d->rm = (uint8_t)f3;
        }
        break;
    case 0x2f:
        op = op_amo(w);
        break;
    case 0x07:
        op = f3 == 2 ? RV_OP_FLW : f3 == 3 ? RV_OP_FLD : RV_OP_ILLEGAL;
        imm = imm_i(w);
        break;
    case 0x27:
        op = f3 == 2 ? RV_OP_FSW : f3 == 3 ? RV_OP_FSD : RV_OP_ILLEGAL;
        imm = imm_s(w);
        break;
    case 0x43: case 0x47: case 0x4b: case 0x4f: {
        unsigned fmt = bits(w, 26, 25), k = bits(w, 3, 2);  /* 0 madd, 1 msub, 2 nmsub, 3 nmadd */
        static const enum rv_op fs[4] = {RV_OP_FMADD_S, RV_OP_FMSUB_S, RV_OP_FNMSUB_S, RV_OP_FNMADD_S};
        static const enum rv_op fd[4] = {RV_OP_FMADD_D, RV_OP_FMSUB_D, RV_OP_FNMSUB_D, RV_OP_FNMADD_D};
        if (fmt <= 1 && rm_ok(f3)) {
            op = fmt ? fd[k] : fs[k];
            d->rs3 = (uint8_t)bits(w, 31, 27);
            d->rm = (uint8_t)f3;
        }
        break;
    }
    case 0x53: {
        unsigned rm_used;
        op = op_fp(w, &rm_used);
        if (rm_used) {
            if (!rm_ok(f3))
                op = RV_OP_ILLEGAL;
            d->rm = (uint8_t)f3;
        }
        break;
    }
    }
    if (op == RV_OP_CSR) {
        /* rs1 holds the register or the 5-bit immediate: no sink mapping */
        set(d, op, rd, rs1, 0, imm);
        if (rd == 0)
            d->rd = RV_XSINK;
        return;
    }
    set(d, op, rd, rs1, rs2, imm);
}

/* ---- 16-bit instructions (RVC, RV64) ---- */

static void decode16(uint32_t h, struct rv_insn *d)
{
    unsigned f3 = bits(h, 15, 13);
    unsigned rd = bits(h, 11, 7), rs2 = bits(h, 6, 2);
    unsigned rdp = 8 + bits(h, 4, 2), rs1p = 8 + bits(h, 9, 7);   /* rd', rs1', rs2' */
    enum rv_op op = RV_OP_ILLEGAL;
    d->len = 2;
    set(d, RV_OP_ILLEGAL, 0, 0, 0, 0);
    int32_t ci = sext(bits(h, 12, 12) << 5 | bits(h, 6, 2), 6);     /* CI-format imm[5:0] */
    uint32_t ld_off = bits(h, 12, 10) << 3 | bits(h, 6, 5) << 6;    /* C.LD/C.FLD/C.SD/C.FSD */
    uint32_t lw_off = bits(h, 12, 10) << 3 | bits(h, 6, 6) << 2 | bits(h, 5, 5) << 6;
    switch ((h & 3) << 3 | f3) {
    /* quadrant 0 */
    case 000: {
        uint32_t nz = bits(h, 12, 11) << 4 | bits(h, 10, 7) << 6 | bits(h, 6, 6) << 2 | bits(h, 5, 5) << 3;
        if (nz)
            set(d, RV_OP_ADDI, rdp, 2, 0, (int32_t)nz);            /* C.ADDI4SPN */
        return;
    }
    case 001: set(d, RV_OP_FLD, rdp, rs1p, 0, (int32_t)ld_off); return;
    case 002: set(d, RV_OP_LW, rdp, rs1p, 0, (int32_t)lw_off); return;
    case 003: set(d, RV_OP_LD, rdp, rs1p, 0, (int32_t)ld_off); return;
    case 005: set(d, RV_OP_FSD, 0, rs1p, rdp, (int32_t)ld_off); return;
    case 006: set(d, RV_OP_SW, 0, rs1p, rdp, (int32_t)lw_off); return;
    case 007: set(d, RV_OP_SD, 0, rs1p, rdp, (int32_t)ld_off); return;
    /* quadrant 1 */
    case 010: set(d, RV_OP_ADDI, rd, rd, 0, ci); return;            /* C.ADDI, C.NOP */
    case 011: if (rd) set(d, RV_OP_ADDIW, rd, rd, 0, ci); return;   /* C.ADDIW */
    case 012: set(d, RV_OP_ADDI, rd, 0, 0, ci); return;             /* C.LI */
    case 013:
        if (rd == 2) {                                              /* C.ADDI16SP */
            int32_t imm = sext(bits(h, 12, 12) << 9 | bits(h, 6, 6) << 4 | bits(h, 5, 5) << 6 |
                               bits(h, 4, 3) << 7 | bits(h, 2, 2) << 5, 10);
            if (imm)
                set(d, RV_OP_ADDI, 2, 2, 0, imm);
        } else if (ci) {                                            /* C.LUI */
            set(d, RV_OP_LUI, rd, 0, 0, ci * 4096);
        }
        return;
    case 014: {
        unsigned sh = bits(h, 12, 12) << 5 | bits(h, 6, 2);
        switch (bits(h, 11, 10)) {
        case 0: set(d, RV_OP_SRLI, rs1p, rs1p, 0, (int32_t)sh); return;
        case 1: set(d, RV_OP_SRAI, rs1p, rs1p, 0, (int32_t)sh); return;
        case 2: set(d, RV_OP_ANDI, rs1p, rs1p, 0, ci); return;
        }
        static const enum rv_op o[8] = {RV_OP_SUB, RV_OP_XOR, RV_OP_OR, RV_OP_AND,
                                        RV_OP_SUBW, RV_OP_ADDW, RV_OP_ILLEGAL, RV_OP_ILLEGAL};
        op = o[bits(h, 12, 12) << 2 | bits(h, 6, 5)];
        if (op != RV_OP_ILLEGAL)
            set(d, op, rs1p, rs1p, rdp, 0);
        return;
    }
    case 015: {                                                     /* C.J */
        int32_t imm = sext(bits(h, 12, 12) << 11 | bits(h, 11, 11) << 4 | bits(h, 10, 9) << 8 |
                           bits(h, 8, 8) << 10 | bits(h, 7, 7) << 6 | bits(h, 6, 6) << 7 |
                           bits(h, 5, 3) << 1 | bits(h, 2, 2) << 5, 12);
        set(d, RV_OP_JAL, 0, 0, 0, imm);
        return;
    }
    case 016: case 017: {                                           /* C.BEQZ, C.BNEZ */
        int32_t imm = sext(bits(h, 12, 12) << 8 | bits(h, 11, 10) << 3 | bits(h, 6, 5) << 6 |
                           bits(h, 4, 3) << 1 | bits(h, 2, 2) << 5, 9);
        set(d, f3 == 6 ? RV_OP_BEQ : RV_OP_BNE, 0, rs1p, 0, imm);
        return;
    }
    /* quadrant 2 */
    case 020: set(d, RV_OP_SLLI, rd, rd, 0, (int32_t)(bits(h, 12, 12) << 5 | bits(h, 6, 2))); return;
    case 021:                                                       /* C.FLDSP */
        set(d, RV_OP_FLD, rd, 2, 0, (int32_t)(bits(h, 12, 12) << 5 | bits(h, 6, 5) << 3 | bits(h, 4, 2) << 6));
        return;
    case 022:                                                       /* C.LWSP */
        if (rd)
            set(d, RV_OP_LW, rd, 2, 0, (int32_t)(bits(h, 12, 12) << 5 | bits(h, 6, 4) << 2 | bits(h, 3, 2) << 6));
        return;
    case 023:                                                       /* C.LDSP */
        if (rd)
            set(d, RV_OP_LD, rd, 2, 0, (int32_t)(bits(h, 12, 12) << 5 | bits(h, 6, 5) << 3 | bits(h, 4, 2) << 6));
        return;
    case 024:
        if (!bits(h, 12, 12)) {
            if (rs2 == 0) {
                if (rd)
                    set(d, RV_OP_JALR, 0, rd, 0, 0);                /* C.JR */
            } else {
                set(d, RV_OP_ADD, rd, 0, rs2, 0);                   /* C.MV */
            }
        } else if (rs2 == 0) {
            if (rd == 0)
                set(d, RV_OP_EBREAK, 0, 0, 0, 0);                   /* C.EBREAK */
            else
                set(d, RV_OP_JALR, 1, rd, 0, 0);                    /* C.JALR */
        } else {
            set(d, RV_OP_ADD, rd, rd, rs2, 0);                      /* C.ADD */
        }
        return;
    case 025:                                                       /* C.FSDSP */
        set(d, RV_OP_FSD, 0, 2, rs2, (int32_t)(bits(h, 12, 10) << 3 | bits(h, 9, 7) << 6));
        return;
    case 026:                                                       /* C.SWSP */
        set(d, RV_OP_SW, 0, 2, rs2, (int32_t)(bits(h, 12, 9) << 2 | bits(h, 8, 7) << 6));
        return;
    case 027:                                                       /* C.SDSP */
        set(d, RV_OP_SD, 0, 2, rs2, (int32_t)(bits(h, 12, 10) << 3 | bits(h, 9, 7) << 6));
        return;
    }
    /* 004: reserved */
}

void rv_decode(uint32_t raw, struct rv_insn *d)
{
    uint32_t saved = d->raw;
    memset(d, 0, sizeof *d);
    d->raw = saved;                    /* the caller's; h is set by the caller too */
    if ((raw & 3) != 3)
        decode16(raw & 0xffff, d);
    else if ((raw & 0x1c) == 0x1c)
        set(d, RV_OP_ILLEGAL, 0, 0, 0, 0), d->len = 4;              /* 48-bit and longer formats */
    else
        decode32(raw, d);
    if (d->op != RV_OP_CSR && writes_x[d->op] && d->rd == 0)
        d->rd = RV_XSINK;
}
