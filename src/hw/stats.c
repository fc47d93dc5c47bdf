/* stats.c — names and descriptions of the machine's counters. */
#include <vmlab/stats.h>

#include <string.h>

const char *const cpu_stat_names[CPU_STAT_NR] = {
#define VMLAB_STAT_NAME(id, name, desc) name,
    VMLAB_CPU_STATS(VMLAB_STAT_NAME)
#undef VMLAB_STAT_NAME
};

const char *const cpu_stat_descs[CPU_STAT_NR] = {
#define VMLAB_STAT_DESC(id, name, desc) desc,
    VMLAB_CPU_STATS(VMLAB_STAT_DESC)
#undef VMLAB_STAT_DESC
};

int cpu_stat_index(const char *name)
{
    for (int i = 0; i < CPU_STAT_NR; i++)
        if (!strcmp(cpu_stat_names[i], name))
            return i;
    return -1;
}
