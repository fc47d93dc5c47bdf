# a child halts while its parent waits: the run ends, status 0
run: halt inchild
---
(halt) begin
(halt) the child halts
