/* The vector table that lets a newlib program (`--specs=rdimon.specs`: printf and exit through
 * semihosting) boot on QEMU's mps2-an386, a Cortex-M4F: linked at address 0 by tests/c/run.sh,
 * it gives the initial stack (the top of the board's 4 MB of RAM) and a reset handler that
 * turns the FPU on before newlib's own start-up. */
#include <stdint.h>

extern void _start(void);
void piconas_reset(void);

static void piconas_fault(void) {
    for (;;) {
    }
}

void piconas_reset(void) {
    *(volatile uint32_t *)0xE000ED88u |= UINT32_C(0xF) << 20; /* CPACR: CP10 and CP11 full access */
    __asm volatile("dsb\n isb");
    _start();
}

__attribute__((section(".vectors"), used)) static void (*const piconas_vectors[16])(void) = {
    (void (*)(void))0x20400000u, piconas_reset, piconas_fault, piconas_fault,
    piconas_fault,               piconas_fault, piconas_fault, 0,
    0,                           0,             0,             piconas_fault,
    piconas_fault,               0,             piconas_fault, piconas_fault,
};
