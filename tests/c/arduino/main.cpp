// The stand-in core's main: setup() once, loop() once, then the sleep that ends simavr.
#include <avr/interrupt.h>
#include <avr/sleep.h>

#include "Arduino.h"

SerialPort Serial;

int main() {
    setup();
    loop();
    cli();
    sleep_enable();
    sleep_cpu();
}
