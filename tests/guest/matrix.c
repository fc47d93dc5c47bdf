/* matrix.c — dense double-precision matrix multiply, LU decomposition and a
 * solve, printed with printf's %f and %e (glibc's floating point all the
 * way). `matrix N` (default 96). */
#include <math.h>

#include "guest.h"

int main(int argc, char **argv)
{
    int n = (int)arg(argc, argv, 1, 96);
    double *a = malloc(sizeof(double) * (size_t)(n * n)), *b = malloc(sizeof(double) * (size_t)(n * n));
    double *c = calloc((size_t)(n * n), sizeof(double)), *x = malloc(sizeof(double) * (size_t)n);
    CHECK(a && b && c && x);
    for (int i = 0; i < n * n; i++) {
        a[i] = (double)(rnd() % 2001) / 1000.0 - 1.0;
        b[i] = (double)(rnd() % 2001) / 1000.0 - 1.0;
    }
    for (int i = 0; i < n; i++)
        a[i * n + i] += n;   /* diagonally dominant: LU without pivoting is stable */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            double aik = a[i * n + k];
            for (int j = 0; j < n; j++)
                c[i * n + j] += aik * b[k * n + j];
        }
    double trace = 0, norm = 0;
    for (int i = 0; i < n; i++)
        trace += c[i * n + i];
    for (int i = 0; i < n * n; i++)
        norm += c[i] * c[i];
    /* LU in place, then solve a x = 1 */
    for (int k = 0; k < n; k++)
        for (int i = k + 1; i < n; i++) {
            double f = a[i * n + k] /= a[k * n + k];
            for (int j = k + 1; j < n; j++)
                a[i * n + j] -= f * a[k * n + j];
        }
    for (int i = 0; i < n; i++) {
        double s = 1.0;
        for (int j = 0; j < i; j++)
            s -= a[i * n + j] * x[j];
        x[i] = s;
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = x[i];
        for (int j = i + 1; j < n; j++)
            s -= a[i * n + j] * x[j];
        x[i] = s / a[i * n + i];
    }
    double xs = 0;
    for (int i = 0; i < n; i++)
        xs += x[i];
    printf("n %d trace %.6f frobenius %.6e solution sum %.9f sqrt %.12g\n", n, trace, sqrt(norm), xs,
           sqrt(fabs(xs)));
    return 0;
}
