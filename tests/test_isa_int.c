/* test_isa_int.c — RV64I, M, A, Zicsr, C and the illegal encodings against
 * known answers from the unprivileged spec (hand-encoded instructions, see
 * tests/lib/rvasm.h). */
#include "lib/rvkit.h"
#include "lib/tap.h"

enum { A0 = 10, A1 = 11, A2 = 12, A3 = 13, T0 = 5, SP = 2 };

struct alu {
    const char *name;
    uint32_t insn;           /* rd a0, rs1 a1, rs2 a2 */
    uint64_t a, b, want;
};

#define M1 0xffffffffffffffffull
#define MIN64 0x8000000000000000ull
#define MAX64 0x7fffffffffffffffull

static const struct alu alu_cases[] = {
    {"add wraps", ADD(A0, A1, A2), MAX64, 1, MIN64},
    {"sub", SUB(A0, A1, A2), 0, 1, M1},
    {"addw sign-extends", ADDW(A0, A1, A2), 0x7fffffff, 1, 0xffffffff80000000ull},
    {"addw ignores the upper half", ADDW(A0, A1, A2), 0x1234567800000001ull, 0xffffffff00000001ull, 2},
    {"subw", SUBW(A0, A1, A2), 0, 1, M1},
    {"sll uses 6 bits", SLL(A0, A1, A2), 1, 65, 2},
    {"srl", SRL(A0, A1, A2), MIN64, 63, 1},
    {"sra", SRA(A0, A1, A2), (uint64_t)-8, 1, (uint64_t)-4},
    {"sllw uses 5 bits", SLLW(A0, A1, A2), 1, 33, 2},
    {"sllw sign-extends", SLLW(A0, A1, A2), 1, 31, 0xffffffff80000000ull},
    {"srlw", SRLW(A0, A1, A2), 0xffffffff80000000ull, 31, 1},
    {"sraw", SRAW(A0, A1, A2), 0x80000000ull, 31, M1},
    {"slt signed", SLT(A0, A1, A2), M1, 1, 1},
    {"sltu unsigned", SLTU(A0, A1, A2), M1, 1, 0},
    {"xor", XOR(A0, A1, A2), 0xff00, 0x0ff0, 0xf0f0},
    {"or", OR(A0, A1, A2), 0xff00, 0x0ff0, 0xfff0},
    {"and", AND(A0, A1, A2), 0xff00, 0x0ff0, 0x0f00},
    {"addi negative", ADDI(A0, A1, -2048), 0, 0, (uint64_t)-2048},
    {"slti", SLTI(A0, A1, -1), (uint64_t)-2, 0, 1},
    {"sltiu: imm -1 is the largest", SLTIU(A0, A1, -1), 5, 0, 1},
    {"xori -1 is not", XORI(A0, A1, -1), 0x5555, 0, ~0x5555ull},
    {"ori", ORI(A0, A1, 0x7ff), 0x800, 0, 0xfff},
    {"andi sign-extended", ANDI(A0, A1, -16), 0x1234567, 0, 0x1234560},
    {"slli 63", SLLI(A0, A1, 63), 1, 0, MIN64},
    {"srli 63", SRLI(A0, A1, 63), MIN64, 0, 1},
    {"srai 63", SRAI(A0, A1, 63), MIN64, 0, M1},
    {"addiw", ADDIW(A0, A1, 1), 0x7fffffff, 0, 0xffffffff80000000ull},
    {"slliw", SLLIW(A0, A1, 31), 1, 0, 0xffffffff80000000ull},
    {"srliw", SRLIW(A0, A1, 1), 0xffffffff80000000ull, 0, 0x40000000},
    {"sraiw", SRAIW(A0, A1, 4), 0x80000000ull, 0, 0xfffffffff8000000ull},
    {"lui sign-extends", LUI(A0, 0x80000), 0, 0, 0xffffffff80000000ull},
    /* M */
    {"mul low half", MUL(A0, A1, A2), 0x100000001ull, 0x100000001ull, 0x200000001ull},
    {"mulh -1 * -1", MULH(A0, A1, A2), M1, M1, 0},
    {"mulhu -1 * -1", MULHU(A0, A1, A2), M1, M1, 0xfffffffffffffffeull},
    {"mulhsu -1 * (2^64-1)", MULHSU(A0, A1, A2), M1, M1, M1},
    {"mulh min * min", MULH(A0, A1, A2), MIN64, MIN64, 0x4000000000000000ull},
    {"div rounds toward zero", DIV(A0, A1, A2), (uint64_t)-7, 2, (uint64_t)-3},
    {"rem has the dividend's sign", REM(A0, A1, A2), (uint64_t)-7, 2, M1},
    {"div by zero is -1", DIV(A0, A1, A2), 5, 0, M1},
    {"divu by zero is 2^64-1", DIVU(A0, A1, A2), 5, 0, M1},
    {"rem by zero is the dividend", REM(A0, A1, A2), (uint64_t)-5, 0, (uint64_t)-5},
    {"remu by zero is the dividend", REMU(A0, A1, A2), 5, 0, 5},
    {"div overflow", DIV(A0, A1, A2), MIN64, M1, MIN64},
    {"rem overflow", REM(A0, A1, A2), MIN64, M1, 0},
    {"divu", DIVU(A0, A1, A2), M1, 2, MAX64},
    {"mulw sign-extends", MULW(A0, A1, A2), 0x10000, 0x8000, 0xffffffff80000000ull},
    {"divw overflow", DIVW(A0, A1, A2), 0x80000000ull, M1, 0xffffffff80000000ull},
    {"remw overflow", REMW(A0, A1, A2), 0x80000000ull, M1, 0},
    {"divw by zero", DIVW(A0, A1, A2), 7, 0, M1},
    {"divuw by zero", DIVUW(A0, A1, A2), 7, 0, M1},
    {"divuw unsigned", DIVUW(A0, A1, A2), 0xfffffffeull, 2, 0x7fffffff},
    {"remuw by zero sign-extends the dividend", REMUW(A0, A1, A2), 0x80000000ull, 0, 0xffffffff80000000ull},
    {"remw", REMW(A0, A1, A2), (uint64_t)-7, 2, M1},
};

static void alu_tests(struct rvk *k)
{
    for (size_t i = 0; i < sizeof alu_cases / sizeof alu_cases[0]; i++) {
        const struct alu *c = &alu_cases[i];
        k->h.x[A0] = 0xdead;
        k->h.x[A1] = c->a;
        k->h.x[A2] = c->b;
        bool ran = rvk_run(k, &c->insn, 1);
        ok(ran && k->h.x[A0] == c->want, "%s: 0x%llx (want 0x%llx)", c->name,
           (unsigned long long)k->h.x[A0], (unsigned long long)c->want);
    }
    /* x0 stays zero */
    k->h.x[A1] = 5;
    uint32_t w0[] = {ADDI(0, A1, 1), ADD(A0, 0, 0)};
    ok(rvk_run(k, w0, 2) && k->h.x[0] == 0 && k->h.x[A0] == 0, "writes to x0 are discarded");
}

static void control_tests(struct rvk *k)
{
    /* auipc, jal, jalr (bit 0 cleared), branches both ways */
    uint32_t a[] = {AUIPC(A0, 1)};
    ok(rvk_run(k, a, 1) && k->h.x[A0] == RVK_CODE + 0x1000, "auipc adds to its own pc");
    uint32_t j[] = {JAL(A0, 8), ADDI(A1, 0, 1), ADDI(A2, 0, 2)};
    k->h.x[A1] = 0;
    ok(rvk_run(k, j, 3) && k->h.x[A0] == RVK_CODE + 4 && k->h.x[A1] == 0 && k->h.x[A2] == 2,
       "jal links pc+4 and skips");
    uint32_t jr[] = {AUIPC(T0, 0), JALR(A0, T0, 13), ADDI(A1, 0, 7), ADDI(A2, 0, 9)};
    k->h.x[A1] = 0;
    ok(rvk_run(k, jr, 4) && k->h.x[A0] == RVK_CODE + 8 && k->h.x[A1] == 0 && k->h.x[A2] == 9,
       "jalr clears bit 0 of the target (0+13 -> 12)");
    static const struct { const char *name; uint32_t insn; uint64_t a, b; bool taken; } br[] = {
        {"beq", BEQ(A1, A2, 8), 3, 3, 1}, {"beq not", BEQ(A1, A2, 8), 3, 4, 0},
        {"bne", BNE(A1, A2, 8), 3, 4, 1}, {"blt signed", BLT(A1, A2, 8), M1, 0, 1},
        {"bltu unsigned", BLTU(A1, A2, 8), M1, 0, 0}, {"bge equal", BGE(A1, A2, 8), 5, 5, 1},
        {"bgeu", BGEU(A1, A2, 8), M1, 0, 1}, {"bge signed", BGE(A1, A2, 8), M1, 0, 0},
    };
    for (size_t i = 0; i < sizeof br / sizeof br[0]; i++) {
        uint32_t p[] = {br[i].insn, ADDI(A0, 0, 1)};
        k->h.x[A0] = 0;
        k->h.x[A1] = br[i].a;
        k->h.x[A2] = br[i].b;
        ok(rvk_run(k, p, 2) && k->h.x[A0] == (br[i].taken ? 0u : 1u), "%s %s", br[i].name,
           br[i].taken ? "taken" : "not taken");
    }
}

static void memory_tests(struct rvk *k)
{
    uint8_t bytes[16] = {0x80, 0xff, 0x00, 0x80, 0x01, 0x02, 0x03, 0x84, 0x11, 0x22, 0x33, 0x44};
    rvk_poke(k, RVK_DATA, bytes, sizeof bytes);
    k->h.x[A1] = RVK_DATA;
    static const struct { const char *name; uint32_t insn; uint64_t want; } ld[] = {
        {"lb sign-extends", LB(A0, A1, 0), (uint64_t)-128},
        {"lbu zero-extends", LBU(A0, A1, 0), 0x80},
        {"lh", LH(A0, A1, 0), 0xffffffffffffff80ull},
        {"lhu", LHU(A0, A1, 0), 0xff80},
        {"lw", LW(A0, A1, 0), 0xffffffff8000ff80ull},
        {"lwu", LWU(A0, A1, 0), 0x8000ff80ull},
        {"ld", LD(A0, A1, 0), 0x840302018000ff80ull},
        {"lh misaligned", LH(A0, A1, 3), 0x0180},
        {"lw misaligned", LW(A0, A1, 5), 0x11840302ull},
        {"ld misaligned", LD(A0, A1, 1), 0x11840302018000ffull},
    };
    for (size_t i = 0; i < sizeof ld / sizeof ld[0]; i++)
        ok(rvk_run(k, &ld[i].insn, 1) && k->h.x[A0] == ld[i].want, "%s: 0x%llx", ld[i].name,
           (unsigned long long)k->h.x[A0]);
    /* stores of each size, misaligned, and across a page boundary */
    k->h.x[A2] = 0x1122334455667788ull;
    uint32_t st[] = {SD(A2, A1, 0x100), SW(A2, A1, 0x10b), SH(A2, A1, 0x111), SB(A2, A1, 0x117)};
    ok(rvk_run(k, st, 4), "stores run");
    is_u64(rvk_peek(k, RVK_DATA + 0x100, 8), 0x1122334455667788ull, "sd");
    is_u64(rvk_peek(k, RVK_DATA + 0x10b, 4), 0x55667788, "sw misaligned");
    is_u64(rvk_peek(k, RVK_DATA + 0x111, 2), 0x7788, "sh misaligned");
    is_u64(rvk_peek(k, RVK_DATA + 0x117, 1), 0x88, "sb");
    struct cpu_stats s0, s1;
    cpu_stats(k->cpu, &s0);
    k->h.x[A1] = RVK_DATA + VM_PAGE_SIZE - 3;
    uint32_t cross[] = {SD(A2, A1, 0), LD(A0, A1, 0)};
    ok(rvk_run(k, cross, 2) && k->h.x[A0] == 0x1122334455667788ull, "a doubleword across a page boundary");
    cpu_stats(k->cpu, &s1);
    /* rvk_run's copy-out of the code is one supervisor store; the run
     * starts with one fetch lookup (the last run ended in a trap) */
    is_u64(s1.v[CPU_STAT_DTLB_STORES] - s0.v[CPU_STAT_DTLB_STORES], 1 + 2, "the crossing store looks up both pages");
    is_u64(s1.v[CPU_STAT_DTLB_LOADS] - s0.v[CPU_STAT_DTLB_LOADS], 2, "the crossing load looks up both pages");
    is_u64(s1.v[CPU_STAT_ACCESSES] - s0.v[CPU_STAT_ACCESSES], 1 + 1 + 2,
           "each crossing access counts once (+ the copy-out and the fetch lookup)");
    is_u64(rvk_peek(k, RVK_DATA + VM_PAGE_SIZE - 3, 8), 0x1122334455667788ull, "both pages hold their bytes");
}

static void atomic_tests(struct rvk *k)
{
    static const struct { const char *name; unsigned f5, w; uint64_t mem, src, want_rd, want_mem; } a[] = {
        {"amoadd.w", 0x00, 2, 0x7fffffff, 1, 0x7fffffff, 0x80000000},
        {"amoswap.w sign-extends the old value", 0x01, 2, 0x80000000, 5, 0xffffffff80000000ull, 5},
        {"amoxor.d", 0x04, 3, 0xff, 0x0f, 0xff, 0xf0},
        {"amoand.d", 0x0c, 3, 0xff, 0x0f, 0xff, 0x0f},
        {"amoor.w", 0x08, 2, 0xf0, 0x0f, 0xf0, 0xff},
        {"amomin.w signed", 0x10, 2, 0xffffffff, 1, M1, 0xffffffff},
        {"amomax.w signed", 0x14, 2, 0xffffffff, 1, M1, 1},
        {"amominu.w unsigned", 0x18, 2, 0xffffffff, 1, M1, 1},
        {"amomaxu.w unsigned", 0x1c, 2, 0xffffffff, 1, M1, 0xffffffff},
        {"amomin.d", 0x10, 3, MIN64, 0, MIN64, MIN64},
        {"amomaxu.d", 0x1c, 3, MIN64, 1, MIN64, MIN64},
        {"amoswap.d", 0x01, 3, 42, M1, 42, M1},
        {"amoadd.d carries into the upper half", 0x00, 3, 0xffffffff, 1, 0xffffffff, 0x100000000ull},
        {"amoxor.w", 0x04, 2, 0xff00ff00, 0xffffffff, 0xffffffffff00ff00ull, 0x00ff00ff},
        {"amoand.w", 0x0c, 2, 0xf0f0f0f0, 0x0ff00ff0, 0xfffffffff0f0f0f0ull, 0x00f000f0},
        {"amoor.d", 0x08, 3, MIN64, 1, MIN64, MIN64 | 1},
        {"amomax.d signed", 0x14, 3, M1, 0, M1, 0},
        {"amominu.d unsigned", 0x18, 3, M1, 0, M1, 0},
    };
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
        rvk_poke(k, RVK_DATA + 0x200, &a[i].mem, 8);
        k->h.x[A1] = RVK_DATA + 0x200;
        k->h.x[A2] = a[i].src;
        uint32_t insn = AMO(a[i].f5, a[i].w, A0, A1, A2);
        bool ran = rvk_run(k, &insn, 1);
        uint64_t mem = rvk_peek(k, RVK_DATA + 0x200, a[i].w == 2 ? 4 : 8);
        ok(ran && k->h.x[A0] == a[i].want_rd && mem == a[i].want_mem, "%s: rd 0x%llx, memory 0x%llx", a[i].name,
           (unsigned long long)k->h.x[A0], (unsigned long long)mem);
    }
    /* LR/SC */
    uint64_t v = 7;
    rvk_poke(k, RVK_DATA + 0x300, &v, 8);
    k->h.x[A1] = RVK_DATA + 0x300;
    k->h.x[A2] = 9;
    uint32_t pair[] = {LR_D(A0, A1), SC_D(A3, A1, A2)};
    ok(rvk_run(k, pair, 2) && k->h.x[A0] == 7 && k->h.x[A3] == 0 && rvk_peek(k, RVK_DATA + 0x300, 8) == 9,
       "lr.d/sc.d: the SC succeeds (rd 0) and stores");
    uint32_t lone[] = {SC_D(A3, A1, A2)};
    k->h.x[A2] = 11;
    ok(rvk_run(k, lone, 1) && k->h.x[A3] == 1 && rvk_peek(k, RVK_DATA + 0x300, 8) == 9,
       "an SC without a reservation fails (rd 1) and stores nothing");
    uint32_t twice[] = {LR_W(A0, A1), SC_W(A3, A1, A2), SC_W(A0, A1, A2)};
    ok(rvk_run(k, twice, 3) && k->h.x[A3] == 0 && k->h.x[A0] == 1, "a second SC after the first fails");
    uint32_t other[] = {LR_W(A0, A1), ADDI(T0, A1, 8), SC_W(A3, T0, A2)};
    ok(rvk_run(k, other, 3) && k->h.x[A3] == 1, "an SC to another address than the LR's fails");
    uint32_t across[] = {LR_W(A0, A1)};
    rvk_run(k, across, 1);             /* the trap (ebreak) drops the reservation */
    uint32_t after[] = {SC_W(A3, A1, A2)};
    ok(rvk_run(k, after, 1) && k->h.x[A3] == 1, "a trap between LR and SC makes the SC fail");
    /* misaligned atomics trap */
    k->h.x[A1] = RVK_DATA + 0x302;
    uint32_t mis = AMO(0x00, 2, A0, A1, A2);
    rvk_run(k, &mis, 1);
    ok(k->t.cause == RV_EXC_STORE_MISALIGNED && k->t.tval == RVK_DATA + 0x302 && k->t.pc == RVK_CODE,
       "a misaligned AMO traps store-address-misaligned with the address");
    uint32_t mislr = LR_D(A0, A1);
    rvk_run(k, &mislr, 1);
    ok(k->t.cause == RV_EXC_LOAD_MISALIGNED, "a misaligned LR traps load-address-misaligned");
}

static uint64_t last_time;
static uint64_t fake_time(void *arg, const struct rv_hart *h)
{
    (void)arg;
    last_time = h->instret;
    return 1000000 + h->instret;
}

static void csr_tests(struct rvk *k)
{
    uint64_t before = k->h.instret;
    uint32_t c[] = {ADDI(0, 0, 0), ADDI(0, 0, 0), CSRRS(A0, 0xc02, 0), CSRRS(A1, 0xc00, 0)};
    ok(rvk_run(k, c, 4) && k->h.x[A0] == before + 2 && k->h.x[A1] == before + 3,
       "instret and cycle count the instructions retired before them");
    ok(k->h.instret == before + 4, "the ebreak does not retire (instret %llu)",
       (unsigned long long)(k->h.instret - before));
    uint32_t t[] = {CSRRS(A0, 0xc01, 0)};
    ok(rvk_run(k, t, 1) && k->h.x[A0] == k->h.instret - 1, "time reads instret without a time source");
    rv_sys_set_time(k->s, fake_time, NULL);
    ok(rvk_run(k, t, 1) && k->h.x[A0] == 1000000 + last_time && last_time == k->h.instret - 1,
       "time reads the embedder's clock, given a current instret");
    rv_sys_set_time(k->s, NULL, NULL);
    uint32_t w[] = {CSRRW(A0, 0x003, A1), CSRRS(A2, 0x003, 0), CSRRS(A3, 0x002, 0), CSRRS(T0, 0x001, 0)};
    k->h.x[A1] = 0x1ff;
    k->h.fcsr = 0x41;
    ok(rvk_run(k, w, 4) && k->h.x[A0] == 0x41 && k->h.x[A2] == 0xff && k->h.x[A3] == 7 && k->h.x[T0] == 0x1f,
       "fcsr holds 8 bits: frm 7:5, fflags 4:0");
    uint32_t f[] = {CSRRWI(A0, 0x002, 3), CSRRCI(A1, 0x001, 0x11), CSRRS(A2, 0x003, 0)};
    ok(rvk_run(k, f, 3) && k->h.x[A0] == 7 && k->h.x[A1] == 0x1f && k->h.x[A2] == (3u << 5 | 0x0e),
       "frm and fflags write their fields of fcsr");
    static const struct { const char *name; uint32_t insn; } ill[] = {
        {"a write to cycle", CSRRW(A0, 0xc00, A1)},
        {"a set of instret with rs1 != x0", CSRRS(A0, 0xc02, A1)},
        {"csrrwi to time", CSRRWI(A0, 0xc01, 0)},
        {"sstatus (supervisor)", CSRRS(A0, 0x100, 0)},
        {"mstatus (machine)", CSRRS(A0, 0x300, 0)},
        {"hpmcounter3", CSRRS(A0, 0xc03, 0)},
        {"cycleh (RV32 only)", CSRRS(A0, 0xc80, 0)},
    };
    for (size_t i = 0; i < sizeof ill / sizeof ill[0]; i++) {
        k->h.x[A1] = 1;
        rvk_run(k, &ill[i].insn, 1);
        ok(k->stop == RV_STOP_TRAP && k->t.cause == RV_EXC_ILLEGAL && k->t.tval == ill[i].insn &&
               k->t.pc == RVK_CODE,
           "%s is an illegal instruction with its bits in tval", ill[i].name);
    }
    uint32_t r[] = {CSRRC(A0, 0xc00, 0)};
    ok(rvk_run(k, r, 1), "csrrc of cycle with x0 is a read");
    k->h.fcsr = 0;
    uint32_t si[] = {CSRRSI(A0, 0x001, 0x05), CSRRSI(A1, 0x001, 0x02), CSRRSI(A2, 0xc02, 0)};
    ok(rvk_run(k, si, 3) && k->h.x[A0] == 0 && k->h.x[A1] == 5 && (k->h.fcsr & 0x1f) == 7,
       "csrrsi sets fflags bits; csrrsi with 0 reads a read-only counter");
}

static void compressed_tests(struct rvk *k)
{
    /* encodings from the RVC listings, assembled by hand */
    uint16_t p1[] = {0x4515,   /* c.li a0, 5 */
                     0x157d,   /* c.addi a0, -1 */
                     0x85aa,   /* c.mv a1, a0 */
                     0x95aa,   /* c.add a1, a0 */
                     0x6605,   /* c.lui a2, 1 */
                     0x0586};  /* c.slli a1, 1 */
    ok(rvk_run16(k, p1, 6) && k->h.x[A0] == 4 && k->h.x[A1] == 16 && k->h.x[A2] == 0x1000,
       "c.li, c.addi, c.mv, c.add, c.lui, c.slli");
    uint16_t p2[] = {0x4501,   /* c.li a0, 0 */
                     0xc111,   /* c.beqz a0, +4 */
                     0x4505,   /* c.li a0, 1 (skipped) */
                     0xa011,   /* c.j +4 */
                     0x4509,   /* c.li a0, 2 (skipped) */
                     0x0001};  /* c.nop */
    ok(rvk_run16(k, p2, 6) && k->h.x[A0] == 0, "c.beqz and c.j skip");
    k->h.x[SP] = RVK_DATA + 0x400;
    k->h.x[A1] = 0x1234567890abcdefull;
    uint16_t p3[] = {0xe42e,   /* c.sdsp a1, 8(sp) */
                     0x6522,   /* c.ldsp a0, 8(sp) */
                     0x0808,   /* c.addi4spn a0, sp, 16 -> a0 = sp + 16 */
                     0x6510};  /* c.ld a2, 8(a0) */
    rvk_poke(k, RVK_DATA + 0x418, &k->h.x[A1], 8);
    ok(rvk_run16(k, p3, 4) && k->h.x[A0] == RVK_DATA + 0x410 && k->h.x[A2] == 0x1234567890abcdefull,
       "c.sdsp, c.ldsp, c.addi4spn, c.ld");
    uint16_t p4[] = {0x7179};  /* c.addi16sp sp, -48 */
    k->h.x[SP] = 0x1000;
    ok(rvk_run16(k, p4, 1) && k->h.x[SP] == 0x1000 - 48, "c.addi16sp");
    uint16_t p5[] = {0x2505};  /* c.addiw a0, 1 */
    k->h.x[A0] = 0x7fffffff;
    ok(rvk_run16(k, p5, 1) && k->h.x[A0] == 0xffffffff80000000ull, "c.addiw sign-extends");
    uint16_t p6[] = {0x8d89};  /* c.sub a1, a0 */
    k->h.x[A0] = 3;
    k->h.x[A1] = 1;
    ok(rvk_run16(k, p6, 1) && k->h.x[A1] == (uint64_t)-2, "c.sub: 1 - 3");
    /* the memory forms (encodings as GNU as makes them) */
    uint64_t mem[6] = {0x1111111122222222ull, 0x3333333344444444ull, 0x4009000000000000ull, 0, 1, 0};
    rvk_poke(k, RVK_DATA + 0x500, mem, sizeof mem);
    k->h.x[A0] = RVK_DATA + 0x500;
    k->h.x[SP] = RVK_DATA + 0x600;
    k->h.x[A3] = 0x5555666677778888ull;
    uint16_t p8[] = {0x4150,   /* c.lw a2, 4(a0) */
                     0xc510,   /* c.sw a2, 8(a0) */
                     0xe914,   /* c.sd a3, 16(a0) */
                     0x2d10,   /* c.fld fa2, 24(a0): mem[3], 0 */
                     0xb110,   /* c.fsd fa2, 32(a0) */
                     0xa836,   /* c.fsdsp fa3, 16(sp) */
                     0x26a2,   /* c.fldsp fa3, 8(sp) */
                     0xc63a,   /* c.swsp a4, 12(sp) */
                     0x4712};  /* c.lwsp a4, 4(sp) */
    k->h.f[13] = 0x4014000000000000ull;
    k->h.x[14] = 0xabcdef01;
    uint64_t spmem[3] = {0, 0x7777777788888888ull, 0};
    rvk_poke(k, RVK_DATA + 0x600, spmem, sizeof spmem);
    bool ran8 = rvk_run16(k, p8, 9);
    ok(ran8 && k->h.x[A2] == 0x11111111 && rvk_peek(k, RVK_DATA + 0x508, 4) == 0x11111111 &&
           rvk_peek(k, RVK_DATA + 0x510, 8) == 0x5555666677778888ull && k->h.f[12] == 0 &&
           rvk_peek(k, RVK_DATA + 0x520, 8) == 0 &&
           rvk_peek(k, RVK_DATA + 0x610, 8) == 0x4014000000000000ull && k->h.f[13] == 0x7777777788888888ull &&
           rvk_peek(k, RVK_DATA + 0x60c, 4) == 0xabcdef01 && k->h.x[14] == 0,
       "c.lw, c.sw, c.sd, c.fld, c.fsd, c.fsdsp, c.fldsp, c.swsp, c.lwsp");
    k->h.x[A1] = 0x8000000000000100ull;
    k->h.x[A2] = 0x0f0f;
    uint16_t p9[] = {0x8191,   /* c.srli a1, 4 */
                     0x8591};  /* c.srai a1, 4 */
    ok(rvk_run16(k, p9, 2) && k->h.x[A1] == 0x0080000000000001ull, "c.srli then c.srai");
    k->h.x[A1] = 0x8000000000000100ull;
    uint16_t p9b[] = {0x8591};  /* c.srai a1, 4 */
    ok(rvk_run16(k, p9b, 1) && k->h.x[A1] == 0xf800000000000010ull, "c.srai keeps the sign");
    k->h.x[A1] = 0xff;
    uint16_t p10[] = {0x99f9,  /* c.andi a1, -2 -> 0xfe */
                      0x8db1,  /* c.xor a1, a2 -> 0x0ff1 */
                      0x8dd1,  /* c.or a1, a2 -> 0x0fff */
                      0x8df1}; /* c.and a1, a2 -> 0x0f0f */
    ok(rvk_run16(k, p10, 4) && k->h.x[A1] == 0x0f0f, "c.andi, c.xor, c.or, c.and");
    k->h.x[A1] = 0x7fffffff;
    k->h.x[A2] = 1;
    uint16_t p11[] = {0x9db1,  /* c.addw a1, a2 */
                      0x9d91,  /* c.subw a1, a2 */
                      0x9d91}; /* c.subw a1, a2 */
    ok(rvk_run16(k, p11, 3) && k->h.x[A1] == 0x7ffffffe, "c.addw and c.subw wrap in 32 bits");
    k->h.x[A0] = 1;
    uint16_t p12[] = {0xe111,  /* c.bnez a0, +4 */
                      0x4501,  /* c.li a0, 0 (skipped) */
                      0x0001};
    ok(rvk_run16(k, p12, 3) && k->h.x[A0] == 1, "c.bnez taken");
    k->h.x[A3] = RVK_CODE + 6;
    uint16_t p13[] = {0x9682,  /* c.jalr a3 -> RVK_CODE + 6, ra = +2 */
                      0x4501,  /* skipped */
                      0x4501,  /* skipped */
                      0x0001};
    ok(rvk_run16(k, p13, 4) && k->h.x[1] == RVK_CODE + 2 && k->h.x[A0] == 1, "c.jalr links pc + 2");
    k->h.x[A3] = RVK_CODE + 4;
    uint16_t p14[] = {0x8682,  /* c.jr a3 */
                      0x4501,
                      0x0001};
    ok(rvk_run16(k, p14, 3) && k->h.x[A0] == 1, "c.jr");
    /* a 32-bit instruction after a 16-bit one, at a 2-byte aligned address */
    uint16_t p7[] = {0x4505, (uint16_t)ADDI(A0, A0, 2), (uint16_t)(ADDI(A0, A0, 2) >> 16)};
    ok(rvk_run16(k, p7, 3) && k->h.x[A0] == 3, "a 32-bit instruction at a 2-byte boundary");
}

static void illegal_tests(struct rvk *k)
{
    static const struct { const char *name; uint32_t bits; unsigned len; } ill[] = {
        {"the all-zero parcel", 0x0000, 2},
        {"c.addi4spn with a zero immediate", 0x0004, 2},
        {"c.lwsp with rd x0", 0x4002, 2},
        {"c.jr with rs1 x0", 0x8002, 2},
        {"c.lui with a zero immediate", 0x6501, 2},
        {"c.addiw with rd x0", 0x2001, 2},
        {"quadrant 0, funct3 100 (reserved)", 0x8000, 2},
        {"all ones (a 48-bit-and-longer prefix)", 0xffffffff, 4},
        {"a 32-bit word of zeros above the low bits", 0x00000003 | 0x7000, 4},
        {"sret", 0x10200073, 4},
        {"wfi", 0x10500073, 4},
        {"sfence.vma", 0x12000073, 4},
        {"fadd.d with rounding mode 5", FADD(1, 5, 1, 2, 3), 4},
        {"fmadd.s with rounding mode 6", FMADD(0, 6, 1, 2, 3, 4), 4},
        {"fmv.x.w with rs2 != 0", FOP(0x70, 0, 1, 2, 1), 4},
        {"slli with shamt bit 6 set in RV64 funct6", 0x04051513 | (1u << 31), 4},
        {"an unknown OP funct7", OP(0, 0x02, 1, 2, 3), 4},
        {"lr.w with rs2 != 0", AMO(0x02, 2, A0, A1, 1), 4},
        {"an AMO of width 1", AMO(0x00, 0, A0, A1, A2), 4},
        {"a load with funct3 7", rv_i(0x03, 7, 1, 2, 0), 4},
    };
    for (size_t i = 0; i < sizeof ill / sizeof ill[0]; i++) {
        uint32_t w = ill[i].bits;
        k->h.x[A1] = RVK_DATA;
        rvk_exec(k, RVK_CODE, &w, 4, 10);
        uint32_t want = ill[i].len == 2 ? (w & 0xffff) : w;
        ok(k->stop == RV_STOP_TRAP && k->t.cause == RV_EXC_ILLEGAL && k->t.tval == want && k->t.pc == RVK_CODE,
           "%s: illegal instruction, tval 0x%llx", ill[i].name, (unsigned long long)k->t.tval);
    }
    /* a dynamic rounding mode is checked when the instruction executes */
    k->h.fcsr = 5u << 5;
    uint32_t dyn = FADD(1, 7, 1, 2, 3);
    rvk_run(k, &dyn, 1);
    ok(k->t.cause == RV_EXC_ILLEGAL, "fadd.d dyn with frm 5 is illegal");
    k->h.fcsr = 0;
    ok(rvk_run(k, &dyn, 1), "the same instruction with frm 0 runs");
    uint32_t e = ECALL();
    rvk_exec(k, RVK_CODE, &e, 4, 10);
    ok(k->t.cause == RV_EXC_ECALL_U && k->t.pc == RVK_CODE && k->h.pc == RVK_CODE && k->t.tval == 0,
       "ecall traps with pc at the ecall");
}

int main(void)
{
    struct rvk k;
    rvk_open(&k, 1);
    alu_tests(&k);
    control_tests(&k);
    memory_tests(&k);
    atomic_tests(&k);
    csr_tests(&k);
    compressed_tests(&k);
    illegal_tests(&k);
    rvk_close(&k);
    return tap_done();
}
