// A stand-in for the Arduino core, enough to build an exported library's example sketch for
// the ATmega328P with avr-g++ and run it under simavr (tests/c/run.sh arduino): `Serial`
// writes to UART0, which simavr copies to its output; `micros` reads Timer1. Not Arduino's code; the same API.
#ifndef PICONAS_TEST_ARDUINO_H
#define PICONAS_TEST_ARDUINO_H

#include <avr/io.h>
#include <avr/pgmspace.h>
#include <stdint.h>

class SerialPort {
  public:
    void begin(long baud) {
        (void)baud;
        UCSR0B = 1 << TXEN0;
    }
    void print(const char *s) {
        while (s && *s) write(*s++);
    }
    void print(long n) {
        char digits[12];
        int i = 0;
        unsigned long u = n < 0 ? 0ul - (unsigned long)n : (unsigned long)n;
        if (n < 0) write('-');
        do {
            digits[i++] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        while (i) write(digits[--i]);
    }
    void print(int n) { print((long)n); }
    void println(const char *s) {
        print(s);
        write('\n');
    }

  private:
    void write(char c) {
        while (!(UCSR0A & (1 << UDRE0))) {
        }
        UDR0 = (uint8_t)c;
    }
};

extern SerialPort Serial;

/* Microseconds since start-up: Timer1 counts CPU cycles (prescaler 1), its overflows are
 * counted in main.cpp. */
unsigned long micros();

void setup();
void loop();

#endif
