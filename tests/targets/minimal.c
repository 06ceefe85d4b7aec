/* The smallest program that classifies, for its flash and static RAM on a part: features read
 * from a volatile array (so nothing is folded away), the class written to a port (on a
 * Cortex-M, kept in a register: no RAM). Built with avr-gcc -Os for the ATmega328P, and with
 * arm-none-eabi-gcc -Os and cortex_m.c for the Cortex-M parts, by tests/targets/measure.rs (a
 * piconas header) and tests/targets/benchmark.py (the baselines too). */
#include "predict.h" /* INPUTS, and PREDICT(x): the class of the features x */
#if defined(__AVR__)
#include <avr/io.h>
#define OUT(c) (PORTB = (uint8_t)(c))
#else
#define OUT(c) __asm__ volatile("" : : "r"(c))
#endif
volatile float features[INPUTS];
int main(void) {
    float x[INPUTS];
    int i;
    for (;;) {
        for (i = 0; i < INPUTS; i++) x[i] = features[i];
        OUT(PREDICT(x));
    }
}
