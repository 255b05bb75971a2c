# cli_seed.cmake: the seed stack's read policy denies PutItem with AWS's exact sentence, and the
# batch mode answers the same.
execute_process(COMMAND ${CLI} iam simulate --policy ${DIR}/seed_read_policy.json
                        --principal arn:aws:iam::000000000000:user/read-table-user --action dynamodb:PutItem
                        --resource arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
set(want "User: arn:aws:iam::000000000000:user/read-table-user is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable because no identity-based policy allows the dynamodb:PutItem action")
string(FIND "${out}" "${want}" at)
if(NOT rc EQUAL 0 OR at EQUAL -1 OR NOT out MATCHES "^ImplicitlyDenied")
  message(FATAL_ERROR "unexpected output (rc ${rc}):\n${out}")
endif()
execute_process(COMMAND ${CLI} iam simulate --policy ${DIR}/seed_read_policy.json
                        --principal arn:aws:iam::000000000000:user/read-table-user --action dynamodb:GetItem
                        --resource arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable --json
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT out MATCHES "\"decision\":\"Allowed\"")
  message(FATAL_ERROR "GetItem should be allowed:\n${out}")
endif()
execute_process(COMMAND ${CLI} iam lint ${DIR}/seed_read_policy.json OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT out MATCHES "dynamodb:GetRecords can never apply")
  message(FATAL_ERROR "lint should flag GetRecords on the table ARN:\n${out}")
endif()
