/* Checks an exported int8 header (`piconas export --format c --int8`) against the host: every
 * test row's int8 inputs, int64 logits (the members' weighed sum) and class, the int8
 * accuracy's bits, and each feature's int8 input of awkward raw values (zeros, subnormals,
 * infinities, NaNs, the largest floats). Built by
 * tests/c/run.sh for the host (C99 and C++) and for the ATmega328P, run under simavr, where it
 * also counts the cycles of one inference (Timer1 at the CPU clock) and prints through the
 * UART. It prints one line, `PASS` or `FAIL` first; on the host it exits 0 only on PASS. */
#include <stdio.h>
#include <string.h>

#include "piconas.h"
#include "test_data.h"

#if defined(__AVR__)
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>

static int uart_put(char c, FILE *f) {
    (void)f;
    while (!(UCSR0A & (1 << UDRE0))) {
    }
    UDR0 = (uint8_t)c;
    return 0;
}
static FILE uart = FDEV_SETUP_STREAM(uart_put, NULL, _FDEV_SETUP_WRITE);

static volatile uint16_t overflows;
ISR(TIMER1_OVF_vect) { overflows++; }

/* Timer1 counts CPU cycles (prescaler 1); overflows extend it to 32 bits. */
static void clock_start(void) {
    TCCR1A = 0;
    TCCR1B = 0;
    TCNT1 = 0;
    overflows = 0;
    TIFR1 = 1 << TOV1;
    TIMSK1 = 1 << TOIE1;
    sei();
    TCCR1B = 1 << CS10;
}
static uint32_t clock_stop(void) {
    uint16_t low = TCNT1;
    cli();
    /* An overflow not yet serviced, if it came before the count was read. */
    if ((TIFR1 & (1 << TOV1)) && low < 0x8000u) overflows++;
    TCCR1B = 0;
    return ((uint32_t)overflows << 16) | low;
}
#endif

/* A test logit (int64, in flash on AVR). */
static int64_t test_logit(int i) {
    int64_t v;
#if defined(__AVR__)
    memcpy_P(&v, &piconas_test_logits[i], sizeof v);
#else
    v = piconas_test_logits[i];
#endif
    return v;
}

static float from_bits(uint32_t b) {
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static uint32_t bits(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

int main(void) {
    int row, i, c, right = 0, wrong_input = 0, wrong_logit = 0, wrong_class = 0;
#if defined(__AVR__)
    uint32_t cycles = 0, cycles_q = 0;
#endif
    float accuracy;
#if defined(__AVR__)
    stdout = &uart;
#endif
    for (row = 0; row < PICONAS_TEST_ROWS; row++) {
        float x[PICONAS_INPUTS];
        int8_t q[PICONAS_INPUTS];
        int64_t z[PICONAS_CLASSES];
        int predicted;
        for (i = 0; i < PICONAS_INPUTS; i++) x[i] = PICONAS_RF(&piconas_test_x[row * PICONAS_INPUTS + i]);
        piconas_quantize(x, q);
        for (i = 0; i < PICONAS_INPUTS; i++) {
            if (q[i] != PICONAS_R8(&piconas_test_q[row * PICONAS_INPUTS + i])) wrong_input++;
        }
        piconas_logits_q(q, z);
        for (c = 0; c < PICONAS_CLASSES; c++) {
            if (z[c] != test_logit(row * PICONAS_CLASSES + c)) wrong_logit++;
        }
#if defined(__AVR__)
        if (row == 0) {
            clock_start();
            predicted = piconas_predict_q(q);
            cycles_q = clock_stop();
            clock_start();
            predicted = piconas_predict(x);
            cycles = clock_stop();
        } else
#endif
            predicted = piconas_predict(x);
        if (predicted != PICONAS_RU8(&piconas_test_predicted[row])) wrong_class++;
        if (predicted == PICONAS_RU8(&piconas_test_labels[row])) right++;
    }
    for (row = 0; row < PICONAS_TEST_EDGES; row++) {
        float x = from_bits((uint32_t)PICONAS_R32(&piconas_test_edge_bits[row]));
        for (i = 0; i < PICONAS_INPUTS; i++) {
            if (piconas_front(x, i) != PICONAS_R8(&piconas_test_edge_q[row * PICONAS_INPUTS + i])) wrong_input++;
        }
    }
    accuracy = (float)right / (float)PICONAS_TEST_ROWS;
    printf("%s int8 header: %d test rows, %d features, %d classes: accuracy bits %08lx, host "
           "%08lx; %d inputs, %d logits and %d classes differ from the host's",
           wrong_input + wrong_logit + wrong_class == 0 &&
                   bits(accuracy) == (uint32_t)PICONAS_TEST_ACCURACY_BITS
               ? "PASS"
               : "FAIL",
           PICONAS_TEST_ROWS, PICONAS_INPUTS, PICONAS_CLASSES, (unsigned long)bits(accuracy),
           (unsigned long)PICONAS_TEST_ACCURACY_BITS, wrong_input, wrong_logit, wrong_class);
#if defined(__AVR__)
    printf("; cycles for the first row: %lu piconas_predict, %lu piconas_predict_q",
           (unsigned long)cycles, (unsigned long)cycles_q);
#endif
    printf("\n");
#if defined(__AVR__)
    /* Ends the simulation (simavr stops on sleep with interrupts off). */
    cli();
    sleep_enable();
    sleep_cpu();
#endif
    return wrong_input + wrong_logit + wrong_class == 0 &&
                   bits(accuracy) == (uint32_t)PICONAS_TEST_ACCURACY_BITS
               ? 0
               : 1;
}
