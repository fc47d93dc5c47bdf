run: fork many
---
(fork) begin
child: exit(1)
child: exit(2)
child: exit(3)
child: exit(4)
child: exit(5)
child: exit(6)
child: exit(7)
child: exit(8)
child: exit(9)
child: exit(10)
(fork) ten children one after another: statuses add up to 55
(fork) end
fork: exit(0)
