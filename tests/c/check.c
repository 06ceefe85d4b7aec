/* Checks an exported header (`piconas export --format c`) against the host: every test row's
 * class and class probabilities, and the accuracy's bits. Built by tests/c/run.sh with
 * -std=c99 -Wall -Wextra -Werror -pedantic -ffp-contract=off, as C and as C++, and for the
 * Cortex-M4F. Prints one line, PASS or FAIL first, and exits 0 only if everything is the
 * host's, bit for bit. */
#include <stdio.h>
#include <string.h>

#include "piconas.h"
#include "test_data.h"

static unsigned bits(float f) {
    unsigned b;
    memcpy(&b, &f, sizeof b);
    return b;
}

int main(void) {
    int row, c, ok, right = 0, wrong_class = 0, wrong_proba = 0;
    float accuracy;
    for (row = 0; row < PICONAS_TEST_ROWS; row++) {
        const float *x = &piconas_test_x[row * PICONAS_INPUTS];
        float p[PICONAS_CLASSES];
        int predicted = piconas_predict(x);
        if (predicted != piconas_test_predicted[row]) wrong_class++;
        if (predicted == piconas_test_labels[row]) right++;
        piconas_predict_proba(x, p);
        for (c = 0; c < PICONAS_CLASSES; c++) {
            if (bits(p[c]) != bits(piconas_test_proba[row * PICONAS_CLASSES + c])) wrong_proba++;
        }
    }
    accuracy = (float)right / (float)PICONAS_TEST_ROWS;
    ok = wrong_class == 0 && wrong_proba == 0 && bits(accuracy) == PICONAS_TEST_ACCURACY_BITS;
    printf("%s c header: %d test rows, %d features, %d classes (class 0: %s): accuracy bits %08x, "
           "host %08x; %d classes and %d probabilities differ from the host's\n",
           ok ? "PASS" : "FAIL", PICONAS_TEST_ROWS, PICONAS_INPUTS, PICONAS_CLASSES, piconas_class_name(0),
           bits(accuracy), PICONAS_TEST_ACCURACY_BITS, wrong_class, wrong_proba);
    return ok ? 0 : 1;
}
