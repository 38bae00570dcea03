#!/usr/bin/env python3
# relabel.py ROOT: apply the labelling convention of LABELS.md to every case under ROOT (in place); prints what it changed.
import os,re,sys
root=sys.argv[1]; changed=[]
def hdr(t,k):
    m=re.search(r'^# '+k+r': *(.*)$',t.split('\n---\n')[0],re.M); return m.group(1).strip() if m else None
def setp(t,k,v):
    h,sep,b=t.partition('\n---\n')
    if re.search(r'^# '+k+r':',h,re.M): h=re.sub(r'^# '+k+r':.*$','# '+k+': '+v,h,flags=re.M)
    else: h=h+'\n# '+k+': '+v
    return h+sep+b
for d in sorted(os.listdir(root)):
    p=os.path.join(root,d)
    if not os.path.isdir(p): continue
    for f in sorted(os.listdir(p)):
        fp=os.path.join(p,f); t=open(fp,encoding='utf-8').read()
        k=hdr(t,'kind'); pa=hdr(t,'param') or '-'; body=t.split('\n---\n',1)[1].lower()
        nk,np=k,pa
        # 1. Kinds whose name says what is at fault carry no parameter.
        if k in ('model_not_found','billing','tool_call_malformed','output_length','request_too_large') and pa!='-': np='-'
        # 1d. A stream kind names the stream: `stream` beside it says nothing more.
        if (k=='not_sse' or k.startswith('stream_')) and pa=='stream': np='-'
        if k=='access_denied' and pa not in ('-','stream'): np='-'
        if k=='context_overflow' and pa in ('messages','input','prompt','contents'): np='-'
        # 1b. An overflow whose larger share is the completion's: the cap is what to change.
        m=re.search(r'(\d+) in the messages, (\d+) in the completion',body)
        if k=='context_overflow' and m and int(m.group(2))>int(m.group(1)): np='max_tokens'
        elif k=='context_overflow' and m and pa=='max_tokens': np='-'
        # 1c. Kinds that name what is wrong carry no parameter in any label.
        if k in ('wrong_route','content_filter') and pa in ('model','messages'): np='-'
        # 2. The assistant's reasoning not sent back is a missing field of the request.
        if re.search(r"in the thinking mode must be passed back|missing `reasoning_content` field|reasoning_content is missing",body) and "reasoning_content" in body: nk,np='bad_request','reasoning_content'
        # 3. A tool result out of order is about the messages.
        if k=='bad_request' and pa=='-' and ("must be a response to a preceeding message with 'tool_calls'" in body or "must be a response to a preceding message with 'tool_calls'" in body or ("tool_use" in body and "tool_result" in body and ("without" in body or "unexpected" in body or "not found" in body or "must have a corresponding" in body))): np='messages'
        # 4. An empty message is a malformed request, not a refused parameter.
        if k=='param_rejected' and 'all messages must have non-empty content' in body: nk,np='bad_request','messages'
        # 5. A system role the endpoint refuses is a refused capability (the collectors' rule).
        if k=='bad_request' and 'system messages are not allowed' in body: nk,np='param_rejected','messages'
        # 5b. A malformed part the server locates by a path into a top-level field names that field.
        m=re.search(r"(?<![a-z0-9_.])(?:(?:generatecontentrequest|request|body)\.)?(messages|contents|input|system)(?:\[\d|\.\d)",body)
        if k=='bad_request' and pa=='-' and m: np=m.group(1)
        # 5b'. Anthropic's "<field>: <what is wrong>" locates it the same way.
        m=re.search(r'(?:^|: |")(messages|input|system): ',body)
        if k=='bad_request' and pa=='-' and m: np=m.group(1)
        # 5c. Bedrock's on-demand refusal asks for an inference profile: the route to call the model by (the kinds' definition).
        if k=='model_not_found' and "on-demand throughput" in body.replace('’',"'") and 'inference profile' in body: nk,np='wrong_route','-'
        # 5d. OpenAI's "does not exist or you do not have access to it" says not which: the server's own code (model_not_found) decides, as most collectors read it.
        if k=='access_denied' and re.search(r"model [^\n]{0,80}does not exist\s+or you do not have access to it",body): nk,np='model_not_found','-'
        # 5e. A value refused for a named control parameter (out of range, over its maximum) is the parameter refused, as the corpus reads max_tokens.
        if k=='bad_request' and pa in ('temperature','top_p','top_k','top_logprobs','max_tokens','n','presence_penalty','frequency_penalty') and re.search(r"supported range|valid range|out of range|greater than max|maximum allowed|less than or equal|must be between|cannot exceed|must not exceed|may not exceed",body): nk='param_rejected'
        # 5f. A refusal on IPv6's loopback is most likely one address family refusing (localhost is ::1 first; the server listens on 127.0.0.1).
        if k=='network' and re.search(r"econnrefused ::1|\[::1\]:\d+[^\n]{0,40}refused|address: '::1'",body) and 'refused' in body and 'lookup' not in body: nk,np='address_family','-'
        # 5g. Content-part arrays refused by an endpoint that takes strings: a shape the API has that this endpoint does not take.
        if k=='bad_request' and pa=='messages' and 'invalid type: sequence, expected a string' in body: nk='param_rejected'
        # 5h. A refusal about the conversation's roles or turns is about the messages (a malformed message, its order included).
        if k=='bad_request' and pa=='-' and re.search(r"role of user|valid role|message role|roles must|must alternate|user message|assistant message|tool message|system message|input messages|角色",body): np='messages'
        # 5i. The server's own `param` naming a top-level content field locates the part the same way.
        m=re.search(r"""["']param["']\s*:\s*["'](messages|input|prompt|system)["']""",body)
        if k=='bad_request' and pa=='-' and m: np=m.group(1)
        # 5j. A tool's or structured output's schema refused is the parameter refused as sent (ToolSchema: the schema changes, the parameter stays), as most collectors read it.
        if k=='bad_request' and pa in ('tools','response_format') and re.search(r"invalid schema|schema missing|is required to be supplied|additionalproperties|invalid 'tools'|function_declarations|inputschema|input_schema",body): nk='param_rejected'
        # 5k. "Request body too large for … model. Max size: N tokens" (GitHub Models, Azure AI inference: tokens_limit_reached) is the service's per-request limit, below the model's window.
        if k=='context_overflow' and re.search(r"request body too large for [^\n]{0,40}model\. max size: \d+ tokens",body): nk,np='request_too_large','-'
        # 5l. A content field the server names illegal ("messages 参数非法", Zhipu's 1214) is a malformed part of that field, as 5b reads a located one.
        m=re.search(r"\b(messages|prompt|input|system) ?参数非法",body)
        if k in ('bad_request','param_rejected') and m: nk,np='bad_request',m.group(1)
        # 5m. "must contain the word 'json' … to use response_format": the messages lack the word; response_format is right as it is (as most collectors read it).
        if k=='bad_request' and re.search(r"contain the word ['\"]?json",body): np='messages'
        # 5n. A tool call's arguments refused as not JSON: the model wrote them in an earlier turn, the client replayed them.
        if k in ('bad_request','param_rejected') and re.search(r"invalid function arguments|function\.arguments\\?\"? parameter[^\n]{0,60}json",body): nk,np='tool_call_malformed','-'
        # 6. A parameter is named by its top-level field when the path indexes into a list.
        if '[' in np: np=np.split('[')[0]
        # 7. Gemini's conversation (`contents`) is the request's messages.
        if np=='contents': np='messages'
        # 8. An aborted case's bare avoid `timeout` means "raise the timeout" (LABELS.md).
        av=hdr(t,'avoid')
        if nk=='aborted' and av and 'timeout' in [w.strip() for w in av.split(',')]:
            t=setp(t,'avoid',', '.join('raise the timeout, increase the timeout' if w.strip()=='timeout' else w.strip() for w in av.split(',')))
            changed.append(f"{d}/{f}: avoid timeout -> raise the timeout")
            open(fp,'w',encoding='utf-8').write(t)
        if (nk,np)!=(k,pa):
            t=setp(t,'kind',nk); t=setp(t,'param',np); open(fp,'w',encoding='utf-8').write(t)
            changed.append(f"{d}/{f}: {k} {pa} -> {nk} {np}")
print('\n'.join(changed)); print(len(changed),'relabelled',file=sys.stderr)
