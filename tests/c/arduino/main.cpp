// The stand-in core's main: Timer1 started for micros(), setup() once, loop() once, then the
// sleep that ends simavr.
#include <avr/interrupt.h>
#include <avr/sleep.h>

#include "Arduino.h"

SerialPort Serial;

static volatile unsigned long overflows;
ISR(TIMER1_OVF_vect) { overflows++; }

unsigned long micros() {
    uint8_t sreg = SREG;
    cli();
    unsigned long high = overflows;
    uint16_t low = TCNT1;
    // An overflow not yet serviced, if it came before the count was read.
    if ((TIFR1 & (1 << TOV1)) && low < 0x8000u) high++;
    SREG = sreg;
    return ((high << 16) | low) / (F_CPU / 1000000UL);
}

int main() {
    TCCR1A = 0;
    TCNT1 = 0;
    TIMSK1 = 1 << TOIE1;
    TCCR1B = 1 << CS10;
    sei();
    setup();
    loop();
    cli();
    sleep_enable();
    sleep_cpu();
}
