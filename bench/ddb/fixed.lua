-- fixed.lua: a plain POST of a small JSON body, for the nginx ceiling.
wrk.method = "POST"
wrk.body = '{"TableName":"bench","Key":{"p":{"S":"p00001"},"s":{"N":"1"}}}'
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
