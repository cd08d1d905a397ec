/* cpu.c - how many processors a program may run on; see cpu.h. */
#include <sched.h>
#include <unistd.h>

#include "crm/cpu.h"

int crm_processors(void)
{
	cpu_set_t set;
	long n;

	/* Affinity first: a process pinned to some processors (taskset, a
	 * cpuset) runs no faster for threads meant for the others. */
	if (!sched_getaffinity(0, sizeof set, &set) && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}
