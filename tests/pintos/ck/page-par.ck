# four children sorting their shares at once, on four CPUs, in 768 KiB
run: page-par 4
files: child-sort
opts: --cpus 4 --quantum 20000 --frames 192 --swap 8M
order: per-name
counter: pgsteal > 0
---
(page-par) begin
(page-par) create "buf", 524288 bytes
(page-par) write 131072 random numbers to it
(page-par) sort its 4 shares in 4 children at once
sort-0: exit(0)
sort-1: exit(0)
sort-2: exit(0)
sort-3: exit(0)
(page-par) every child sorted its share
(page-par) read "buf" back
(page-par) each share is sorted
(page-par) and the numbers are the ones written
(page-par) end
page-par: exit(0)
