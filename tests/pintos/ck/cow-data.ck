# the same tree under memory pressure, contents checked
run: cow data 3
opts: --frames 32 --swap 8M
order: per-name
counter: pgsteal > 0
---
(cow) begin
n1-0: exit(0)
n1-1: exit(0)
n2-0: exit(0)
n2-1: exit(0)
n2-2: exit(0)
n2-3: exit(0)
n3-0: exit(0)
n3-1: exit(0)
n3-2: exit(0)
n3-3: exit(0)
n3-4: exit(0)
n3-5: exit(0)
n3-6: exit(0)
n3-7: exit(0)
(cow) a tree of 14 processes below this one: 0 checks failed
(cow) end
cow: exit(0)
