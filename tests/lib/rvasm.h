/* rvasm.h — hand encoding of RV64GC instructions for the ISA's tests,
 * written from the unprivileged spec's base formats (R, I, S, B, U, J, R4)
 * and opcode map, independently of src/isa/decode.c. */
#ifndef VMLAB_TESTS_RVASM_H
#define VMLAB_TESTS_RVASM_H

#include <stdint.h>

/* Macros, so that tables of instructions are constant expressions. */
#define rv_r(op, f3, f7, rd, rs1, rs2)                                                        \
    ((uint32_t)(f7) << 25 | (uint32_t)(rs2) << 20 | (uint32_t)(rs1) << 15 | (uint32_t)(f3) << 12 | \
     (uint32_t)(rd) << 7 | (uint32_t)(op))
#define rv_i(op, f3, rd, rs1, imm)                                                             \
    (((uint32_t)(imm) & 0xfffu) << 20 | (uint32_t)(rs1) << 15 | (uint32_t)(f3) << 12 |           \
     (uint32_t)(rd) << 7 | (uint32_t)(op))
#define rv_s(op, f3, rs1, rs2, imm)                                                            \
    (((uint32_t)(imm) >> 5 & 0x7fu) << 25 | (uint32_t)(rs2) << 20 | (uint32_t)(rs1) << 15 |      \
     (uint32_t)(f3) << 12 | ((uint32_t)(imm) & 0x1fu) << 7 | (uint32_t)(op))
#define rv_b(f3, rs1, rs2, imm)                                                                \
    (((uint32_t)(imm) >> 12 & 1u) << 31 | ((uint32_t)(imm) >> 5 & 0x3fu) << 25 |                \
     (uint32_t)(rs2) << 20 | (uint32_t)(rs1) << 15 | (uint32_t)(f3) << 12 |                     \
     ((uint32_t)(imm) >> 1 & 0xfu) << 8 | ((uint32_t)(imm) >> 11 & 1u) << 7 | 0x63u)
#define rv_u(op, rd, imm20) ((uint32_t)(imm20) << 12 | (uint32_t)(rd) << 7 | (uint32_t)(op))
#define rv_j(rd, imm)                                                                          \
    (((uint32_t)(imm) >> 20 & 1u) << 31 | ((uint32_t)(imm) >> 1 & 0x3ffu) << 21 |               \
     ((uint32_t)(imm) >> 11 & 1u) << 20 | ((uint32_t)(imm) >> 12 & 0xffu) << 12 |               \
     (uint32_t)(rd) << 7 | 0x6fu)
#define rv_r4(op, fmt, rm, rd, rs1, rs2, rs3)                                                  \
    ((uint32_t)(rs3) << 27 | (uint32_t)(fmt) << 25 | (uint32_t)(rs2) << 20 | (uint32_t)(rs1) << 15 | \
     (uint32_t)(rm) << 12 | (uint32_t)(rd) << 7 | (uint32_t)(op))

/* RV64I */
#define LUI(rd, imm20) rv_u(0x37, rd, imm20)
#define AUIPC(rd, imm20) rv_u(0x17, rd, imm20)
#define JAL(rd, imm) rv_j(rd, imm)
#define JALR(rd, rs1, imm) rv_i(0x67, 0, rd, rs1, imm)
#define BEQ(a, b, imm) rv_b(0, a, b, imm)
#define BNE(a, b, imm) rv_b(1, a, b, imm)
#define BLT(a, b, imm) rv_b(4, a, b, imm)
#define BGE(a, b, imm) rv_b(5, a, b, imm)
#define BLTU(a, b, imm) rv_b(6, a, b, imm)
#define BGEU(a, b, imm) rv_b(7, a, b, imm)
#define LB(rd, rs1, imm) rv_i(0x03, 0, rd, rs1, imm)
#define LH(rd, rs1, imm) rv_i(0x03, 1, rd, rs1, imm)
#define LW(rd, rs1, imm) rv_i(0x03, 2, rd, rs1, imm)
#define LD(rd, rs1, imm) rv_i(0x03, 3, rd, rs1, imm)
#define LBU(rd, rs1, imm) rv_i(0x03, 4, rd, rs1, imm)
#define LHU(rd, rs1, imm) rv_i(0x03, 5, rd, rs1, imm)
#define LWU(rd, rs1, imm) rv_i(0x03, 6, rd, rs1, imm)
#define SB(rs2, rs1, imm) rv_s(0x23, 0, rs1, rs2, imm)
#define SH(rs2, rs1, imm) rv_s(0x23, 1, rs1, rs2, imm)
#define SW(rs2, rs1, imm) rv_s(0x23, 2, rs1, rs2, imm)
#define SD(rs2, rs1, imm) rv_s(0x23, 3, rs1, rs2, imm)
#define ADDI(rd, rs1, imm) rv_i(0x13, 0, rd, rs1, imm)
#define SLTI(rd, rs1, imm) rv_i(0x13, 2, rd, rs1, imm)
#define SLTIU(rd, rs1, imm) rv_i(0x13, 3, rd, rs1, imm)
#define XORI(rd, rs1, imm) rv_i(0x13, 4, rd, rs1, imm)
#define ORI(rd, rs1, imm) rv_i(0x13, 6, rd, rs1, imm)
#define ANDI(rd, rs1, imm) rv_i(0x13, 7, rd, rs1, imm)
#define SLLI(rd, rs1, sh) rv_i(0x13, 1, rd, rs1, sh)
#define SRLI(rd, rs1, sh) rv_i(0x13, 5, rd, rs1, sh)
#define SRAI(rd, rs1, sh) rv_i(0x13, 5, rd, rs1, 0x400 | (sh))
#define ADDIW(rd, rs1, imm) rv_i(0x1b, 0, rd, rs1, imm)
#define SLLIW(rd, rs1, sh) rv_i(0x1b, 1, rd, rs1, sh)
#define SRLIW(rd, rs1, sh) rv_i(0x1b, 5, rd, rs1, sh)
#define SRAIW(rd, rs1, sh) rv_i(0x1b, 5, rd, rs1, 0x400 | (sh))
#define OP(f3, f7, rd, a, b) rv_r(0x33, f3, f7, rd, a, b)
#define OPW(f3, f7, rd, a, b) rv_r(0x3b, f3, f7, rd, a, b)
#define ADD(rd, a, b) OP(0, 0, rd, a, b)
#define SUB(rd, a, b) OP(0, 0x20, rd, a, b)
#define SLL(rd, a, b) OP(1, 0, rd, a, b)
#define SLT(rd, a, b) OP(2, 0, rd, a, b)
#define SLTU(rd, a, b) OP(3, 0, rd, a, b)
#define XOR(rd, a, b) OP(4, 0, rd, a, b)
#define SRL(rd, a, b) OP(5, 0, rd, a, b)
#define SRA(rd, a, b) OP(5, 0x20, rd, a, b)
#define OR(rd, a, b) OP(6, 0, rd, a, b)
#define AND(rd, a, b) OP(7, 0, rd, a, b)
#define ADDW(rd, a, b) OPW(0, 0, rd, a, b)
#define SUBW(rd, a, b) OPW(0, 0x20, rd, a, b)
#define SLLW(rd, a, b) OPW(1, 0, rd, a, b)
#define SRLW(rd, a, b) OPW(5, 0, rd, a, b)
#define SRAW(rd, a, b) OPW(5, 0x20, rd, a, b)
#define FENCE() 0x0ff0000fu
#define FENCE_I() 0x0000100fu
#define ECALL() 0x00000073u
#define EBREAK() 0x00100073u
/* M */
#define MUL(rd, a, b) OP(0, 1, rd, a, b)
#define MULH(rd, a, b) OP(1, 1, rd, a, b)
#define MULHSU(rd, a, b) OP(2, 1, rd, a, b)
#define MULHU(rd, a, b) OP(3, 1, rd, a, b)
#define DIV(rd, a, b) OP(4, 1, rd, a, b)
#define DIVU(rd, a, b) OP(5, 1, rd, a, b)
#define REM(rd, a, b) OP(6, 1, rd, a, b)
#define REMU(rd, a, b) OP(7, 1, rd, a, b)
#define MULW(rd, a, b) OPW(0, 1, rd, a, b)
#define DIVW(rd, a, b) OPW(4, 1, rd, a, b)
#define DIVUW(rd, a, b) OPW(5, 1, rd, a, b)
#define REMW(rd, a, b) OPW(6, 1, rd, a, b)
#define REMUW(rd, a, b) OPW(7, 1, rd, a, b)
/* A: funct5, width (2 w, 3 d) */
#define AMO(f5, w, rd, addr, src) rv_r(0x2f, w, (f5) << 2, rd, addr, src)
#define LR_W(rd, addr) AMO(0x02, 2, rd, addr, 0)
#define LR_D(rd, addr) AMO(0x02, 3, rd, addr, 0)
#define SC_W(rd, addr, src) AMO(0x03, 2, rd, addr, src)
#define SC_D(rd, addr, src) AMO(0x03, 3, rd, addr, src)
/* Zicsr */
#define CSRRW(rd, csr, rs1) rv_i(0x73, 1, rd, rs1, csr)
#define CSRRS(rd, csr, rs1) rv_i(0x73, 2, rd, rs1, csr)
#define CSRRC(rd, csr, rs1) rv_i(0x73, 3, rd, rs1, csr)
#define CSRRWI(rd, csr, z) rv_i(0x73, 5, rd, z, csr)
#define CSRRSI(rd, csr, z) rv_i(0x73, 6, rd, z, csr)
#define CSRRCI(rd, csr, z) rv_i(0x73, 7, rd, z, csr)
/* F, D: fmt 0 S, 1 D */
#define FLW(rd, rs1, imm) rv_i(0x07, 2, rd, rs1, imm)
#define FLD(rd, rs1, imm) rv_i(0x07, 3, rd, rs1, imm)
#define FSW(rs2, rs1, imm) rv_s(0x27, 2, rs1, rs2, imm)
#define FSD(rs2, rs1, imm) rv_s(0x27, 3, rs1, rs2, imm)
#define FOP(f7, rm, rd, a, b) rv_r(0x53, rm, f7, rd, a, b)
#define FADD(fmt, rm, rd, a, b) FOP(0x00 | (fmt), rm, rd, a, b)
#define FSUB(fmt, rm, rd, a, b) FOP(0x04 | (fmt), rm, rd, a, b)
#define FMUL(fmt, rm, rd, a, b) FOP(0x08 | (fmt), rm, rd, a, b)
#define FDIV(fmt, rm, rd, a, b) FOP(0x0c | (fmt), rm, rd, a, b)
#define FSQRT(fmt, rm, rd, a) FOP(0x2c | (fmt), rm, rd, a, 0)
#define FSGNJ(fmt, rd, a, b) FOP(0x10 | (fmt), 0, rd, a, b)
#define FSGNJN(fmt, rd, a, b) FOP(0x10 | (fmt), 1, rd, a, b)
#define FSGNJX(fmt, rd, a, b) FOP(0x10 | (fmt), 2, rd, a, b)
#define FMIN(fmt, rd, a, b) FOP(0x14 | (fmt), 0, rd, a, b)
#define FMAX(fmt, rd, a, b) FOP(0x14 | (fmt), 1, rd, a, b)
#define FCVT_S_D(rm, rd, a) FOP(0x20, rm, rd, a, 1)
#define FCVT_D_S(rd, a) FOP(0x21, 0, rd, a, 0)
#define FEQ(fmt, rd, a, b) FOP(0x50 | (fmt), 2, rd, a, b)
#define FLT(fmt, rd, a, b) FOP(0x50 | (fmt), 1, rd, a, b)
#define FLE(fmt, rd, a, b) FOP(0x50 | (fmt), 0, rd, a, b)
/* to integer: ty 0 w, 1 wu, 2 l, 3 lu */
#define FCVT_X_F(fmt, ty, rm, rd, a) FOP(0x60 | (fmt), rm, rd, a, ty)
#define FCVT_F_X(fmt, ty, rm, rd, a) FOP(0x68 | (fmt), rm, rd, a, ty)
#define FMV_X_F(fmt, rd, a) FOP(0x70 | (fmt), 0, rd, a, 0)
#define FCLASS(fmt, rd, a) FOP(0x70 | (fmt), 1, rd, a, 0)
#define FMV_F_X(fmt, rd, a) FOP(0x78 | (fmt), 0, rd, a, 0)
#define FMADD(fmt, rm, rd, a, b, c) rv_r4(0x43, fmt, rm, rd, a, b, c)
#define FMSUB(fmt, rm, rd, a, b, c) rv_r4(0x47, fmt, rm, rd, a, b, c)
#define FNMSUB(fmt, rm, rd, a, b, c) rv_r4(0x4b, fmt, rm, rd, a, b, c)
#define FNMADD(fmt, rm, rd, a, b, c) rv_r4(0x4f, fmt, rm, rd, a, b, c)

#endif
