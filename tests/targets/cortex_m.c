/* The start of a bare Cortex-M program on QEMU's mps2 boards (an385: Cortex-M3, running
 * Cortex-M0 code too; an386: Cortex-M4F), linked at address 0 with everything in the
 * board's writable memory there (so .data needs no copy): the vector table (the initial
 * stack at the top of the board's 4 MB at 0x20000000, and the reset handler), .bss cleared,
 * the FPU turned on where there is one, then main. Semihosting (BKPT 0xAB) prints a line and
 * ends QEMU. No C library: the size of what is measured is the model's and this file's. */
#include <stdint.h>

int main(void);
void piconas_reset(void);
extern void (*const piconas_vectors[16])(void);
extern uint32_t __bss_start__, __bss_end__;

static void piconas_fault(void) {
    for (;;) {
    }
}

void piconas_reset(void) {
    uint32_t *p;
    for (p = &__bss_start__; p < &__bss_end__; p++) *p = 0;
#if defined(__ARM_FP)
    *(volatile uint32_t *)0xE000ED88u |= UINT32_C(0xF) << 20; /* CPACR: CP10 and CP11 */
    __asm volatile("dsb\n isb");
#endif
    main();
    piconas_fault();
}

__attribute__((section(".vectors"), used)) void (*const piconas_vectors[16])(void) = {
    (void (*)(void))0x20400000u, piconas_reset, piconas_fault, piconas_fault,
    piconas_fault,               piconas_fault, piconas_fault, 0,
    0,                           0,             0,             piconas_fault,
    piconas_fault,               0,             piconas_fault, piconas_fault,
};

/* Semihosting call `op` with argument `arg` (QEMU's -semihosting). */
static int semihost(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* Writes the text s to QEMU's standard output (SYS_WRITE0). */
void piconas_print(const char *s) { (void)semihost(0x04, s); }

/* Ends QEMU (SYS_EXIT, ADP_Stopped_ApplicationExit). */
void piconas_exit(void) {
    (void)semihost(0x18, (const void *)0x20026u);
    piconas_fault();
}
