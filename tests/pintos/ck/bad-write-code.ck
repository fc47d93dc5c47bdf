run: bad write-code
status: 255
san: yes
---
(bad) begin
(bad) write to the code of main
bad: exit(-1)
