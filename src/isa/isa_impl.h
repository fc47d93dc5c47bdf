/* isa_impl.h — the ISA's internal structures: decoded instructions, the
 * decoded-instruction cache, and the per-CPU state of struct rv_sys. */
#ifndef VMLAB_ISA_IMPL_H
#define VMLAB_ISA_IMPL_H

#include <vmlab/isa.h>

/* Every operation the decoder produces. Compressed instructions decode to
 * the base operation they expand to (C chapter, "RVC instruction set
 * listings"), so each operation has one implementation. The second column
 * says what rd is: X an integer register (a write to x0 goes to the scratch
 * x[32]), F a floating-point register, N none. */
#define RV_OPS(X)                                                                               \
    X(DECODE, N) X(REFETCH, N) X(ILLEGAL, N)                                                    \
    X(LUI, X) X(AUIPC, X) X(JAL, X) X(JALR, X)                                                  \
    X(BEQ, N) X(BNE, N) X(BLT, N) X(BGE, N) X(BLTU, N) X(BGEU, N)                                \
    X(LB, X) X(LH, X) X(LW, X) X(LD, X) X(LBU, X) X(LHU, X) X(LWU, X)                            \
    X(SB, N) X(SH, N) X(SW, N) X(SD, N)                                                         \
    X(ADDI, X) X(SLTI, X) X(SLTIU, X) X(XORI, X) X(ORI, X) X(ANDI, X)                            \
    X(SLLI, X) X(SRLI, X) X(SRAI, X)                                                            \
    X(ADD, X) X(SUB, X) X(SLL, X) X(SLT, X) X(SLTU, X) X(XOR, X) X(SRL, X) X(SRA, X)             \
    X(OR, X) X(AND, X)                                                                          \
    X(ADDIW, X) X(SLLIW, X) X(SRLIW, X) X(SRAIW, X)                                              \
    X(ADDW, X) X(SUBW, X) X(SLLW, X) X(SRLW, X) X(SRAW, X)                                       \
    X(FENCE, N) X(FENCE_I, N) X(ECALL, N) X(EBREAK, N) X(CSR, X)                                 \
    X(MUL, X) X(MULH, X) X(MULHSU, X) X(MULHU, X) X(DIV, X) X(DIVU, X) X(REM, X) X(REMU, X)       \
    X(MULW, X) X(DIVW, X) X(DIVUW, X) X(REMW, X) X(REMUW, X)                                     \
    X(LR_W, X) X(SC_W, X) X(LR_D, X) X(SC_D, X)                                                  \
    X(AMOSWAP_W, X) X(AMOADD_W, X) X(AMOXOR_W, X) X(AMOAND_W, X) X(AMOOR_W, X)                   \
    X(AMOMIN_W, X) X(AMOMAX_W, X) X(AMOMINU_W, X) X(AMOMAXU_W, X)                                \
    X(AMOSWAP_D, X) X(AMOADD_D, X) X(AMOXOR_D, X) X(AMOAND_D, X) X(AMOOR_D, X)                   \
    X(AMOMIN_D, X) X(AMOMAX_D, X) X(AMOMINU_D, X) X(AMOMAXU_D, X)                                \
    X(FLW, F) X(FLD, F) X(FSW, N) X(FSD, N)                                                     \
    X(FMADD_S, F) X(FMSUB_S, F) X(FNMSUB_S, F) X(FNMADD_S, F)                                    \
    X(FMADD_D, F) X(FMSUB_D, F) X(FNMSUB_D, F) X(FNMADD_D, F)                                    \
    X(FADD_S, F) X(FSUB_S, F) X(FMUL_S, F) X(FDIV_S, F) X(FSQRT_S, F)                            \
    X(FADD_D, F) X(FSUB_D, F) X(FMUL_D, F) X(FDIV_D, F) X(FSQRT_D, F)                            \
    X(FSGNJ_S, F) X(FSGNJN_S, F) X(FSGNJX_S, F) X(FMIN_S, F) X(FMAX_S, F)                        \
    X(FSGNJ_D, F) X(FSGNJN_D, F) X(FSGNJX_D, F) X(FMIN_D, F) X(FMAX_D, F)                        \
    X(FCVT_S_D, F) X(FCVT_D_S, F)                                                               \
    X(FEQ_S, X) X(FLT_S, X) X(FLE_S, X) X(FEQ_D, X) X(FLT_D, X) X(FLE_D, X)                      \
    X(FCLASS_S, X) X(FCLASS_D, X) X(FMV_X_W, X) X(FMV_X_D, X) X(FMV_W_X, F) X(FMV_D_X, F)        \
    X(FCVT_W_S, X) X(FCVT_WU_S, X) X(FCVT_L_S, X) X(FCVT_LU_S, X)                                \
    X(FCVT_W_D, X) X(FCVT_WU_D, X) X(FCVT_L_D, X) X(FCVT_LU_D, X)                                \
    X(FCVT_S_W, F) X(FCVT_S_WU, F) X(FCVT_S_L, F) X(FCVT_S_LU, F)                                \
    X(FCVT_D_W, F) X(FCVT_D_WU, F) X(FCVT_D_L, F) X(FCVT_D_LU, F)

enum rv_op {
#define RV_OP_ENUM(name, rd) RV_OP_##name,
    RV_OPS(RV_OP_ENUM)
#undef RV_OP_ENUM
    RV_OP_NR
};
extern const char *const rv_op_names[RV_OP_NR];

/* One decoded instruction: 16 bytes, 2048 per 4 KiB frame (one per
 * halfword, since with C an instruction may start at any even address).
 * `raw` is the 32 bits at the instruction's address when it was decoded
 * (for a 16-bit instruction, with the next halfword above it): the
 * instruction is executed from the cache only while the frame still holds
 * those bytes. For CSR instructions imm is the CSR number, rs1 the source
 * register or the 5-bit immediate and rm the funct3. */
struct rv_insn {
    uint32_t raw;
    uint16_t op;             /* enum rv_op */
    uint8_t rd, rs1, rs2, rs3;
    uint8_t len;             /* 2 or 4 */
    uint8_t rm;              /* floating-point rounding mode field (7 = dynamic) */
    int32_t imm;
};
_Static_assert(sizeof(struct rv_insn) == 16, "a decoded instruction is 16 bytes");

#define RV_XSINK 32          /* where writes to x0 go */

/* Decode the instruction whose low bits are in raw (16 bits used if they
 * are a compressed instruction). The result's raw is left to the caller. */
void rv_decode(uint32_t raw, struct rv_insn *d);
/* Length of the instruction whose first halfword is lo: 2 or 4 (anything
 * else is illegal and decoded as 4-byte ILLEGAL). */
static inline unsigned rv_insn_len(uint16_t lo)
{
    return (lo & 3) == 3 ? 4 : 2;
}

/* ---- the decoded-instruction cache (icache.c) ---- */

#define RV_SLOTS (VM_PAGE_SIZE / 2)

struct rv_dpage {
    paddr_t frame;                 /* physical base of the frame */
    struct rv_dpage *hnext;        /* hash chain */
    struct rv_insn slot[RV_SLOTS];
};

struct rv_icache {
    struct rv_dpage **hash;        /* [nbuckets] */
    unsigned nbuckets;             /* power of two */
    struct rv_dpage **ring;        /* [max]: dpages in order of creation */
    unsigned n, max, hand;
};

int rv_icache_init(struct rv_icache *ic, unsigned max);
void rv_icache_destroy(struct rv_icache *ic);
/* The decoded page of frame (physical base), created empty if absent
 * (which may drop the oldest one). counts go to *st. */
struct rv_dpage *rv_icache_get(struct rv_icache *ic, paddr_t frame, struct rv_stats *st);

/* ---- per-CPU state ---- */

struct rv_cpu {
    struct cpu *cpu;
    const struct rv_hart *owner;   /* the hart that ran here last */
    /* the fetch unit: the page it holds, its frame's bytes and decoded
     * page; none when fetch_slots is the sys's refetch slots */
    uint64_t fetch_va;             /* page base */
    uint32_t fetch_gen;            /* the CPU's flush generation at the lookup */
    paddr_t fetch_frame;
    uint8_t *fetch_host;
    struct rv_insn *fetch_slots;   /* fetch_dpage's slots, or the sys's refetch slots */
    struct rv_icache ic;
    struct rv_insn cross;          /* an instruction that crosses into the next page */
    /* the reservation monitor */
    bool resv_valid;
    uint64_t resv_va;              /* the LR's address */
    paddr_t resv_pa;
    uint64_t resv_val;             /* the value the LR read */
    unsigned resv_size;            /* 4 or 8 */
};
#define RV_RESV_SHIFT 6            /* the reservation set: an aligned 64-byte block */

struct rv_sys {
    struct machine *m;
    unsigned ncpus;
    unsigned nresv;                /* CPUs holding a reservation */
    rv_time_fn time_fn;
    void *time_arg;
    struct rv_stats st;
    /* What the fetch unit points at when it holds no page: slots that all
     * say REFETCH over a frame of zeros, so the interpreter's dispatch needs
     * no test of its own for "nothing held". */
    struct rv_insn *refetch;       /* [RV_SLOTS] */
    uint8_t *zero;                 /* [VM_PAGE_SIZE + 8] */
    struct rv_cpu cpu[];
};

/* A store by CPU rc to [pa, pa+len) breaks other CPUs' reservations on
 * the blocks it touches. */
void rv_resv_break_others(struct rv_sys *s, const struct rv_cpu *rc, paddr_t pa, unsigned len);
void rv_resv_drop(struct rv_sys *s, struct rv_cpu *rc);

#endif
