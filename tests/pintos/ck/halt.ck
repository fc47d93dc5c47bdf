# halt: the machine powers off; no exit line; status 0
run: halt
san: yes
---
(halt) begin
