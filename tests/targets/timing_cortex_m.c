/* Times a classifier on a Cortex-M under QEMU: each row's instructions of PREDICT(x), the
 * most printed as "c=N", then QEMU ends. QEMU has no cycle counter (DWT's CYCCNT reads 0), but
 * with -icount shift=6 every instruction advances the virtual clock by 64 ns, and SysTick
 * counts that clock at the board's 25 MHz: 1.6 ticks an instruction, so instructions =
 * ticks * 5 / 8, to 1 instruction. Built by tests/targets/measure.rs and benchmark.py with
 * cortex_m.c. */
#include <stdint.h>
#define PROGMEM
#define pgm_read_float(p) (*(p))
#include "predict.h" /* INPUTS, and PREDICT(x): the class of the features x */
#include "rows.h"    /* ROWS rows of INPUTS raw features */

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

void piconas_print(const char *s);
void piconas_exit(void);
volatile int predicted;

int main(void) {
    float x[INPUTS];
    uint32_t most = 0, before, after, ticks;
    char text[16];
    int r, i;
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5; /* on, the processor clock, no interrupt */
    while (SYST_CVR == 0) {
    }
    for (r = 0; r < ROWS; r++) {
        for (i = 0; i < INPUTS; i++) x[i] = pgm_read_float(&rows[r * INPUTS + i]);
        SYST_CVR = 0; /* reloads to 0xFFFFFF on the next tick */
        while (SYST_CVR == 0) {
        }
        before = SYST_CVR;
        predicted = PREDICT(x);
        after = SYST_CVR;
        ticks = (before - after) & 0xFFFFFFu;
        if (ticks > most) most = ticks;
    }
    most = (most * 5u + 4u) / 8u;
    text[15] = 0;
    i = 15;
    do {
        text[--i] = (char)('0' + most % 10u);
        most /= 10u;
    } while (most && i > 3);
    text[--i] = '=';
    text[--i] = 'c';
    piconas_print(&text[i]);
    piconas_print("\n");
    piconas_exit();
    return 0;
}
