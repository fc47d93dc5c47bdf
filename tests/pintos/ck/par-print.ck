# four processes printing at once on four CPUs, switching every 300 instructions:
# their lines interleave, but each comes out whole
run: par-print 4 20
opts: --cpus 4 --quantum 300
order: per-name
san: yes
---
(par-print) begin
(printer-0) line 1 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 2 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 3 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 4 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 5 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 6 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 7 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 8 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 9 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 10 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 11 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 12 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 13 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 14 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 15 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 16 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 17 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 18 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 19 of 20: the quick brown fox jumps over the lazy dog
(printer-0) line 20 of 20: the quick brown fox jumps over the lazy dog
printer-0: exit(0)
(printer-1) line 1 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 2 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 3 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 4 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 5 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 6 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 7 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 8 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 9 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 10 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 11 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 12 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 13 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 14 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 15 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 16 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 17 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 18 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 19 of 20: the quick brown fox jumps over the lazy dog
(printer-1) line 20 of 20: the quick brown fox jumps over the lazy dog
printer-1: exit(1)
(printer-2) line 1 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 2 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 3 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 4 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 5 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 6 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 7 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 8 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 9 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 10 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 11 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 12 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 13 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 14 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 15 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 16 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 17 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 18 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 19 of 20: the quick brown fox jumps over the lazy dog
(printer-2) line 20 of 20: the quick brown fox jumps over the lazy dog
printer-2: exit(2)
(printer-3) line 1 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 2 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 3 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 4 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 5 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 6 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 7 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 8 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 9 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 10 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 11 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 12 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 13 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 14 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 15 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 16 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 17 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 18 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 19 of 20: the quick brown fox jumps over the lazy dog
(printer-3) line 20 of 20: the quick brown fox jumps over the lazy dog
printer-3: exit(3)
(par-print) statuses add up to 6
(par-print) end
par-print: exit(0)
