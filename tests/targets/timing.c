/* Times a classifier on the ATmega328P under simavr: each row's cycles of PREDICT(x) (Timer1
 * at the CPU clock, extended by its overflows), the slowest printed through the UART as
 * "c=N", then the sleep that ends simavr. Built with avr-gcc by tests/targets/measure.rs (a
 * piconas header) and tests/targets/benchmark.py (the baselines too). */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <avr/sleep.h>
#include "predict.h" /* INPUTS, and PREDICT(x): the class of the features x */
#include "rows.h"    /* ROWS rows of INPUTS raw features, in flash */
static volatile uint16_t overflows;
ISR(TIMER1_OVF_vect) { overflows++; }
static void put(char c) {
    while (!(UCSR0A & (1 << UDRE0))) {
    }
    UDR0 = (uint8_t)c;
}
volatile int predicted;
int main(void) {
    float x[INPUTS];
    uint32_t slowest = 0;
    char digits[12];
    int r, i, n = 0;
    TIMSK1 = 1 << TOIE1;
    sei();
    for (r = 0; r < ROWS; r++) {
        uint16_t low;
        uint32_t cycles;
        for (i = 0; i < INPUTS; i++) x[i] = pgm_read_float(&rows[r * INPUTS + i]);
        TCCR1B = 0;
        TCNT1 = 0;
        overflows = 0;
        TIFR1 = 1 << TOV1;
        TCCR1B = 1 << CS10;
        predicted = PREDICT(x);
        low = TCNT1;
        cli();
        if ((TIFR1 & (1 << TOV1)) && low < 0x8000u) overflows++;
        TCCR1B = 0;
        cycles = ((uint32_t)overflows << 16) | low;
        sei();
        if (cycles > slowest) slowest = cycles;
    }
    cli();
    do {
        digits[n++] = (char)('0' + slowest % 10);
        slowest /= 10;
    } while (slowest);
    put('c'); put('=');
    while (n) put(digits[--n]);
    put('\n');
    sleep_enable();
    sleep_cpu();
    return 0;
}
