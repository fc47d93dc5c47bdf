# eight children on one CPU, taking turns every 5000 instructions
run: page-par 8
files: child-sort
opts: --quantum 5000 --frames 160 --swap 8M --policy fifo
order: per-name
---
(page-par) begin
(page-par) create "buf", 524288 bytes
(page-par) write 131072 random numbers to it
(page-par) sort its 8 shares in 8 children at once
sort-0: exit(0)
sort-1: exit(0)
sort-2: exit(0)
sort-3: exit(0)
sort-4: exit(0)
sort-5: exit(0)
sort-6: exit(0)
sort-7: exit(0)
(page-par) every child sorted its share
(page-par) read "buf" back
(page-par) each share is sorted
(page-par) and the numbers are the ones written
(page-par) end
page-par: exit(0)
