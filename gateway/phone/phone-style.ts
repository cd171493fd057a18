/**
 * The phone pages' one stylesheet, served by the gateway itself (the page's policy allows styles
 * from 'self' only). Sized for an elderly citizen on a small, old phone: 20 px text and up, buttons
 * at least 64 px high, strong contrast, nothing that needs a modern CSS feature to be usable.
 */
export const PHONE_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#f4f1ea;color:#111;font:20px/1.5 "PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif}
main{max-width:34em;margin:0 auto;padding:16px 16px 40px}
header{border-bottom:3px solid #b71c1c;margin-bottom:12px;padding-bottom:8px}
.hall{font-size:22px;font-weight:bold;margin:0}
.window,.item{margin:4px 0 0;font-size:19px}
h1{font-size:27px;margin:18px 0 0;line-height:1.3}
p{margin:6px 0}
.en{display:block;color:#444;font-size:16px;line-height:1.35}
h1+.en{margin-bottom:12px}
form{margin:0}
button{font:inherit;cursor:pointer}
.level{display:block;width:100%;min-height:72px;margin:12px 0;padding:10px 14px;border:3px solid #333;border-radius:14px;background:#fff;color:#111;text-align:left;font-size:26px;font-weight:bold}
.level .en{font-weight:normal;font-size:17px}
.l5{border-color:#1b5e20;background:#e8f5e9}.l4{border-color:#2e7d32;background:#f1f8e9}.l3{border-color:#8d6e00;background:#fffde7}
.l2{border-color:#c62828;background:#fff3f0}.l1{border-color:#8e0000;background:#ffebee}
.level:active,.level:focus{outline:4px solid #0d47a1;outline-offset:2px}
.reason{display:flex;flex-wrap:wrap;align-items:center;min-height:60px;margin:10px 0;padding:10px 12px;border:2px solid #555;border-radius:12px;background:#fff;font-size:21px}
.reason input{width:30px;height:30px;margin:0 14px 0 0;flex:none}
.reason .zh{flex:1 1 70%}
.reason .en{flex:1 1 100%;padding-left:44px}
.comment{display:block;margin:16px 0}
textarea{display:block;width:100%;margin-top:6px;padding:10px;font:inherit;border:2px solid #555;border-radius:10px}
.submit{display:block;width:100%;min-height:72px;margin:18px 0;border:0;border-radius:14px;background:#b71c1c;color:#fff;font-size:26px;font-weight:bold}
.submit .en{color:#fff}
.chosen{font-size:22px}
.note{margin-top:20px;color:#333;font-size:17px}
.closed h1,.refused h1{font-size:32px}
.again{display:inline-block;margin-top:16px;padding:14px 22px;border:3px solid #0d47a1;border-radius:12px;color:#0d47a1;font-size:22px;text-decoration:none}
`;
