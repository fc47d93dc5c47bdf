run: exit 57
status: 57
san: yes
---
(exit) begin
exit: exit(57)
