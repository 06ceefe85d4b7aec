/* The smallest program that classifies, for its flash and static RAM on the ATmega328P:
 * features read from a volatile array (so nothing is folded away), the class written to a
 * port. Built with avr-gcc -Os by tests/targets/measure.rs (a piconas header) and
 * tests/targets/benchmark.py (the baselines too). */
#include <avr/io.h>
#include "predict.h" /* INPUTS, and PREDICT(x): the class of the features x */
volatile float features[INPUTS];
int main(void) {
    float x[INPUTS];
    int i;
    for (;;) {
        for (i = 0; i < INPUTS; i++) x[i] = features[i];
        PORTB = (uint8_t)PREDICT(x);
    }
}
