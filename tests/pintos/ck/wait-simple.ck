run: wait simple
---
(wait) begin
child: exit(5)
(wait) wait: 5
(wait) end
wait: exit(0)
