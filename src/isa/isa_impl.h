/* isa_impl.h — the ISA's internal structures: decoded instructions, the
 * decoded-instruction cache, and the per-CPU state of struct rv_sys. */
#ifndef VMLAB_ISA_IMPL_H
#define VMLAB_ISA_IMPL_H

#include <vmlab/isa.h>

#include "hw/cpu_exec.h"

/* Every operation the decoder produces. Compressed instructions decode to
 * the base operation they expand to (C chapter, "RVC instruction set
 * listings"), so each operation has one implementation. The second column
 * says what rd is: wx an integer register (a write to x0 goes to the scratch
 * x[32]), wf a floating-point register, wn none. */
#define RV_OPS(X)                                                                               \
    X(DECODE, wn) X(REFETCH, wn) X(ILLEGAL, wn)                                                    \
    X(LUI, wx) X(AUIPC, wx) X(JAL, wx) X(JALR, wx)                                                  \
    X(BEQ, wn) X(BNE, wn) X(BLT, wn) X(BGE, wn) X(BLTU, wn) X(BGEU, wn)                                \
    X(LB, wx) X(LH, wx) X(LW, wx) X(LD, wx) X(LBU, wx) X(LHU, wx) X(LWU, wx)                            \
    X(SB, wn) X(SH, wn) X(SW, wn) X(SD, wn)                                                         \
    X(ADDI, wx) X(SLTI, wx) X(SLTIU, wx) X(XORI, wx) X(ORI, wx) X(ANDI, wx)                            \
    X(SLLI, wx) X(SRLI, wx) X(SRAI, wx)                                                            \
    X(ADD, wx) X(SUB, wx) X(SLL, wx) X(SLT, wx) X(SLTU, wx) X(XOR, wx) X(SRL, wx) X(SRA, wx)             \
    X(OR, wx) X(AND, wx)                                                                          \
    X(ADDIW, wx) X(SLLIW, wx) X(SRLIW, wx) X(SRAIW, wx)                                              \
    X(ADDW, wx) X(SUBW, wx) X(SLLW, wx) X(SRLW, wx) X(SRAW, wx)                                       \
    X(FENCE, wn) X(FENCE_I, wn) X(ECALL, wn) X(EBREAK, wn) X(CSR, wx)                                 \
    X(MUL, wx) X(MULH, wx) X(MULHSU, wx) X(MULHU, wx) X(DIV, wx) X(DIVU, wx) X(REM, wx) X(REMU, wx)       \
    X(MULW, wx) X(DIVW, wx) X(DIVUW, wx) X(REMW, wx) X(REMUW, wx)                                     \
    X(LR_W, wx) X(SC_W, wx) X(LR_D, wx) X(SC_D, wx)                                                  \
    X(AMOSWAP_W, wx) X(AMOADD_W, wx) X(AMOXOR_W, wx) X(AMOAND_W, wx) X(AMOOR_W, wx)                   \
    X(AMOMIN_W, wx) X(AMOMAX_W, wx) X(AMOMINU_W, wx) X(AMOMAXU_W, wx)                                \
    X(AMOSWAP_D, wx) X(AMOADD_D, wx) X(AMOXOR_D, wx) X(AMOAND_D, wx) X(AMOOR_D, wx)                   \
    X(AMOMIN_D, wx) X(AMOMAX_D, wx) X(AMOMINU_D, wx) X(AMOMAXU_D, wx)                                \
    X(FLW, wf) X(FLD, wf) X(FSW, wn) X(FSD, wn)                                                     \
    X(FMADD_S, wf) X(FMSUB_S, wf) X(FNMSUB_S, wf) X(FNMADD_S, wf)                                    \
    X(FMADD_D, wf) X(FMSUB_D, wf) X(FNMSUB_D, wf) X(FNMADD_D, wf)                                    \
    X(FADD_S, wf) X(FSUB_S, wf) X(FMUL_S, wf) X(FDIV_S, wf) X(FSQRT_S, wf)                            \
    X(FADD_D, wf) X(FSUB_D, wf) X(FMUL_D, wf) X(FDIV_D, wf) X(FSQRT_D, wf)                            \
    X(FSGNJ_S, wf) X(FSGNJN_S, wf) X(FSGNJX_S, wf) X(FMIN_S, wf) X(FMAX_S, wf)                        \
    X(FSGNJ_D, wf) X(FSGNJN_D, wf) X(FSGNJX_D, wf) X(FMIN_D, wf) X(FMAX_D, wf)                        \
    X(FCVT_S_D, wf) X(FCVT_D_S, wf)                                                               \
    X(FEQ_S, wx) X(FLT_S, wx) X(FLE_S, wx) X(FEQ_D, wx) X(FLT_D, wx) X(FLE_D, wx)                      \
    X(FCLASS_S, wx) X(FCLASS_D, wx) X(FMV_X_W, wx) X(FMV_X_D, wx) X(FMV_W_X, wf) X(FMV_D_X, wf)        \
    X(FCVT_W_S, wx) X(FCVT_WU_S, wx) X(FCVT_L_S, wx) X(FCVT_LU_S, wx)                                \
    X(FCVT_W_D, wx) X(FCVT_WU_D, wx) X(FCVT_L_D, wx) X(FCVT_LU_D, wx)                                \
    X(FCVT_S_W, wf) X(FCVT_S_WU, wf) X(FCVT_S_L, wf) X(FCVT_S_LU, wf)                                \
    X(FCVT_D_W, wf) X(FCVT_D_WU, wf) X(FCVT_D_L, wf) X(FCVT_D_LU, wf)

enum rv_op {
#define RV_OP_ENUM(name, rd) RV_OP_##name,
    RV_OPS(RV_OP_ENUM)
#undef RV_OP_ENUM
    RV_OP_NR
};
extern const char *const rv_op_names[RV_OP_NR];

/* One decoded instruction: 24 bytes, 2048 per 4 KiB frame (one per
 * halfword, since with C an instruction may start at any even address).
 * `raw` is the 32 bits at the instruction's address when it was decoded
 * (for a 16-bit instruction, with the next halfword above it): the
 * instruction is executed from the cache only while the frame still holds
 * those bytes. `h` is the interpreter's handler for `op` (exec.c sets it).
 * For CSR instructions imm is the CSR number, rs1 the source register or
 * the 5-bit immediate and rm the funct3. */
struct rv_insn {
    uint32_t raw;
    int32_t imm;
    const void *h;
    uint8_t rd, rs1, rs2, rs3;
    uint8_t len;             /* 2 or 4 */
    uint8_t rm;              /* floating-point rounding mode field (7 = dynamic) */
    uint16_t op;             /* enum rv_op */
};
_Static_assert(sizeof(struct rv_insn) == 24, "a decoded instruction is 24 bytes");

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
/* The decoded page of frame (physical base), created if absent with every
 * slot a copy of *blank (which may drop the oldest page); counts go to
 * *st. */
struct rv_dpage *rv_icache_get(struct rv_icache *ic, paddr_t frame, const struct rv_insn *blank,
                               struct rv_stats *st);

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
    struct cpu_xcache xc;          /* the data accesses' cache (hw/cpu_exec.h) */
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
    rv_trace_fn trace_fn;          /* when set, the access caches stay empty */
    void *trace_arg;
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

/* Give a new sys's REFETCH slots their handler (exec.c). */
void rv_exec_prepare(struct rv_sys *s);

#endif
