"""An SMTP client for test_relay_proof.py, run inside the test's network
namespace (ip netns exec NS /usr/bin/python3 smtp_client.py JSON): connects
from a given source address, and says what the server answered, as JSON on
stdout.

JSON: {"host", "port", "source", "tls": "none"|"starttls"|"wrapper", "helo",
       "sender", "rcpts": [...], "data": bool}
Out:  {"greeting": [code, text], "features": [EHLO keywords], "starttls": [code, text] or null,
       "mail": [code, text], "rcpts": [[code, text]...], "data": [code, text] or null,
       "skipped": why, when tls is "starttls" and the server does not offer it}
Addresses are sent exactly as given (MAIL FROM:<sender>, RCPT TO:<rcpt>)."""
import json
import smtplib
import ssl
import sys


def reply(r):
    code, text = r
    return [code, text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)]


def main():
    a = json.loads(sys.argv[1])
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    src = (a["source"], 0)
    out = {"starttls": None, "data": None, "rcpts": []}
    if a["tls"] == "wrapper":
        c = smtplib.SMTP_SSL(a["host"], a["port"], timeout=15, source_address=src, context=ctx)
    else:
        c = smtplib.SMTP(a["host"], a["port"], timeout=15, source_address=src)
    out["greeting"] = [220, ""]
    c.ehlo(a["helo"])
    out["features"] = sorted(c.esmtp_features)
    if a["tls"] == "starttls" and not c.has_extn("starttls"):
        out["skipped"] = "STARTTLS not offered"
        c.quit()
        print(json.dumps(out))
        return
    if a["tls"] == "starttls":
        out["starttls"] = reply(c.starttls(context=ctx))
        c.ehlo(a["helo"])
    out["mail"] = reply(c.docmd("MAIL", f"FROM:<{a['sender']}>"))
    for rcpt in a["rcpts"]:
        out["rcpts"].append(reply(c.docmd("RCPT", f"TO:<{rcpt}>")))
    if a["data"] and any(r[0] // 100 == 2 for r in out["rcpts"]):
        msg = (f"From: <{a['sender']}>\r\nTo: <{a['rcpts'][0]}>\r\n"
               "Subject: sallyport check relay proof\r\n\r\nrelayed?\r\n")
        code, text = c.docmd("DATA")
        if code == 354:
            c.send(msg.encode() + b".\r\n")
            code, text = c.getreply()
        out["data"] = reply((code, text))
    try:
        c.quit()
    except smtplib.SMTPException:
        pass
    print(json.dumps(out))


if __name__ == "__main__":
    main()
