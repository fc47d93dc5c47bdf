/* png.h — decoding the PNGs a browser's screenshots give (8-bit RGB or
 * RGBA, not interlaced), with zlib, so that a test can look at pixels. */
#ifndef VMLAB_TESTS_PNG_H
#define VMLAB_TESTS_PNG_H

#include <stddef.h>

struct image {
    unsigned w, h, channels;
    unsigned char *px;                  /* w * h * channels bytes, row by row */
};

/* 0 and *im (free im->px), or -1 and why. */
int png_decode(const unsigned char *d, size_t n, struct image *im, char *why, size_t whylen);

/* The share (0..1) of the pixels of [x0, x1) x [y0, y1) (clipped to the
 * image) farther than `tol` in some channel from the colour rgb. */
double image_share_unlike(const struct image *im, int x0, int y0, int x1, int y1, unsigned rgb,
                          int tol);

#endif
