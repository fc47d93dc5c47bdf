/* png.c — see png.h: the chunks' IDAT data inflated with zlib, then each
 * row's filter undone (PNG specification, section 9). */
#include "lib/png.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int png_decode(const unsigned char *d, size_t n, struct image *im, char *why, size_t whylen)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memset(im, 0, sizeof *im);
    if (n < 33 || memcmp(d, sig, 8) != 0 || memcmp(d + 12, "IHDR", 4) != 0) {
        snprintf(why, whylen, "not a PNG");
        return -1;
    }
    unsigned w = be32(d + 16), h = be32(d + 20), depth = d[24], ctype = d[25], interlace = d[28];
    if (depth != 8 || (ctype != 2 && ctype != 6) || interlace || !w || !h || w > 20000 || h > 20000) {
        snprintf(why, whylen, "unsupported PNG: %ux%u, depth %u, colour type %u, interlace %u", w, h,
                 depth, ctype, interlace);
        return -1;
    }
    unsigned ch = ctype == 2 ? 3 : 4;
    unsigned char *z = malloc(n);
    size_t zn = 0;
    for (size_t off = 8; z && off + 12 <= n;) {              /* gather the IDAT chunks */
        uint32_t len = be32(d + off);
        if (off + 12 + len > n)
            break;
        if (!memcmp(d + off + 4, "IDAT", 4)) {
            memcpy(z + zn, d + off + 8, len);
            zn += len;
        }
        off += 12 + (size_t)len;
    }
    size_t stride = (size_t)w * ch;
    uLongf rawlen = (uLongf)((stride + 1) * h);
    unsigned char *raw = z ? malloc(rawlen) : NULL;
    int zrc = raw ? uncompress(raw, &rawlen, z, (uLong)zn) : Z_MEM_ERROR;
    free(z);
    if (zrc != Z_OK || rawlen != (stride + 1) * h) {
        snprintf(why, whylen, "zlib: %d", zrc);
        free(raw);
        return -1;
    }
    unsigned char *px = malloc(stride * h);
    if (!px) {
        free(raw);
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    for (unsigned y = 0; y < h; y++) {
        const unsigned char *in = raw + y * (stride + 1) + 1;
        unsigned char *out = px + y * stride, *up = y ? out - stride : NULL;
        unsigned filter = in[-1];
        for (size_t x = 0; x < stride; x++) {
            int a = x >= ch ? out[x - ch] : 0, b = up ? up[x] : 0, c = x >= ch && up ? up[x - ch] : 0;
            int v = in[x];
            switch (filter) {
            case 1: v += a; break;
            case 2: v += b; break;
            case 3: v += (a + b) / 2; break;
            case 4: v += paeth(a, b, c); break;
            default: break;
            }
            out[x] = (unsigned char)v;
        }
    }
    free(raw);
    *im = (struct image){.w = w, .h = h, .channels = ch, .px = px};
    return 0;
}

double image_share_unlike(const struct image *im, int x0, int y0, int x1, int y1, unsigned rgb,
                          int tol)
{
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > (int)im->w)
        x1 = (int)im->w;
    if (y1 > (int)im->h)
        y1 = (int)im->h;
    if (x1 <= x0 || y1 <= y0)
        return 0;
    int r = (int)(rgb >> 16), g = (int)(rgb >> 8 & 255), b = (int)(rgb & 255);
    size_t unlike = 0, all = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const unsigned char *p = im->px + ((size_t)y * im->w + (size_t)x) * im->channels;
            all++;
            if (abs(p[0] - r) > tol || abs(p[1] - g) > tol || abs(p[2] - b) > tol)
                unlike++;
        }
    return (double)unlike / (double)all;
}
