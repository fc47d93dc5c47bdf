/* step_words.c — the words the step printers share: names of levels,
 * address splits, an entry's bits, rights, error codes. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "step/step.h"

const char *step_access_name(enum vm_access acc)
{
    return acc == VM_ACCESS_WRITE ? "store" : acc == VM_ACCESS_FETCH ? "fetch" : "load";
}

const char *step_level_name(const struct pt_format *fmt, unsigned level)
{
    static const char *const x86[] = {"PT", "PD", "PDPT", "PML4", "PML5"};
    static const char *const rv[] = {"VPN[0]", "VPN[1]", "VPN[2]", "VPN[3]", "VPN[4]"};
    if (level >= PT_MAX_LEVELS)
        return "?";
    return fmt->arch == PT_ARCH_X86 ? x86[level] : rv[level];
}

void step_split(const struct pt_format *fmt, vaddr_t va, unsigned leaf, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = 0;
    for (int l = (int)fmt->levels - 1; l >= (int)leaf && at < len; l--)
        at += (size_t)snprintf(buf + at, len - at, "%s[%u] ", step_level_name(fmt, (unsigned)l),
                               pt_fmt_index(fmt, va, (unsigned)l));
    if (at < len)
        snprintf(buf + at, len - at, "+0x%" PRIx64,
                 (uint64_t)(va & ((UINT64_C(1) << pt_fmt_shift(fmt, leaf)) - 1)));
}

static void add_word(char *buf, size_t len, size_t *at, const char *w)
{
    if (*at < len)
        *at += (size_t)snprintf(buf + *at, len - *at, "%s%s", *at ? " " : "", w);
}

void step_pte_bits(const struct pt_format *fmt, uint64_t pte, unsigned level, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = 0;
    if (fmt->arch == PT_ARCH_X86) {
        static const struct { uint64_t bit; const char *name; } x86[] = {
            {X86_PTE_P, "P"},   {X86_PTE_RW, "W"}, {X86_PTE_US, "U"},  {X86_PTE_PWT, "PWT"},
            {X86_PTE_PCD, "PCD"}, {X86_PTE_A, "A"}, {X86_PTE_D, "D"},  {X86_PTE_PS, "PS"},
            {X86_PTE_G, "G"},   {X86_PTE_XD, "XD"},
        };
        for (size_t i = 0; i < sizeof x86 / sizeof x86[0]; i++) {
            if (!(pte & x86[i].bit))
                continue;
            if (x86[i].bit == X86_PTE_PS && level == 0)
                add_word(buf, len, &at, "PAT");   /* bit 7 of a 4 KiB PTE */
            else if (x86[i].bit == X86_PTE_XD && !fmt->xd)
                continue;
            else
                add_word(buf, len, &at, x86[i].name);
        }
    } else {
        static const struct { uint64_t bit; const char *name; } rv[] = {
            {RV_PTE_V, "V"}, {RV_PTE_R, "R"}, {RV_PTE_W, "W"}, {RV_PTE_X, "X"},
            {RV_PTE_U, "U"}, {RV_PTE_G, "G"}, {RV_PTE_A, "A"}, {RV_PTE_D, "D"},
        };
        for (size_t i = 0; i < sizeof rv / sizeof rv[0]; i++)
            if (pte & rv[i].bit)
                add_word(buf, len, &at, rv[i].name);
    }
    if (!at)
        snprintf(buf, len, "-");
}

void step_prot(unsigned prot, char buf[8])
{
    buf[0] = prot & VM_PROT_READ ? 'r' : '-';
    buf[1] = prot & VM_PROT_WRITE ? 'w' : '-';
    buf[2] = prot & VM_PROT_EXEC ? 'x' : '-';
    buf[3] = prot & VM_PROT_USER ? 'u' : '-';
    buf[4] = 0;
}

void step_error_code(uint32_t ec, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = 0;
    at += (size_t)snprintf(buf, len, "%s", ec & PF_P ? "protection" : "not present");
    at += (size_t)snprintf(buf + at, len > at ? len - at : 0, ", %s",
                           ec & PF_W ? "write" : ec & PF_ID ? "fetch" : "read");
    at += (size_t)snprintf(buf + at, len > at ? len - at : 0, ", %s",
                           ec & PF_U ? "user" : "supervisor");
    if (ec & PF_RSVD)
        at += (size_t)snprintf(buf + at, len > at ? len - at : 0, ", reserved bit");
    if (ec & PF_PK)
        snprintf(buf + at, len > at ? len - at : 0, ", protection key");
}
