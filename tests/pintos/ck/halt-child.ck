# halt while a child that never ends runs: it is ended without a line
run: halt child
---
(halt) begin
(halt) forked a child that never ends
