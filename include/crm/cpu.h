/* cpu.h - how many processors a program may run on. */
#ifndef CRM_CPU_H
#define CRM_CPU_H

/* The processors this process may run on: its CPU affinity (taskset, a
 * container's cpuset), else those online; at least 1. */
int crm_processors(void);

#endif
