"""Build the non-markdown documents of the library evaluation (test and dev) from their sources.

    .venv/bin/python eval/library/make_formats.py                 # rebuild every document in place
    .venv/bin/python eval/library/make_formats.py --out /tmp/lib  # build into /tmp/lib/{test,dev}/
    .venv/bin/python eval/library/make_formats.py --check         # build into a temporary folder and
                                                                  # compare with the committed files
    .venv/bin/python eval/library/make_formats.py ID ...          # only these documents

Every built document is one row of DOCUMENTS: its id, format, folder (eval/library/test/ or
eval/library/dev/), source (UTF-8 text under eval/library/sources/; the gold facts and evidence
are checked against the built file, and against this text where the file cannot reproduce it
exactly, see check_gold.py) and its layout options.

Source line markers (html/docx/pdf sources): "# " centred title, "## " heading 1, "### " heading 2,
"#### " heading 3, "> " right-aligned line (signature, date), "| a | b |" table row; a first-line "<!-- ... -->"
comment is dropped. A .txt source is copied as is (re-encoded, CRLF line ends).
Requires python-docx and reportlab (`.venv/bin/pip install python-docx reportlab`).

--check compares .html/.txt byte for byte and .docx/.pdf by their text as read by
assistant.readers.read_document (.docx and .pdf carry build timestamps).
"""
from __future__ import annotations

import argparse
import html
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent      # eval/library
MAIN = HERE.parent.parent
SRC = HERE / "sources"


# --------------------------------------------------------------------------- html page chrome
def shaoguan_page(title: str, date: str, source: str, wenhao: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="{_ent(title)}">
<meta name="PubDate" content="{date}">
<meta name="ContentSource" content="{_ent(source)}">
<title>{_ent(title)}_政策文件_韶關市人民政府門戶網站</title>
<link rel="stylesheet" href="/css/common.css">
</head>
<body>
<div class="top-bar"><a href="/">簡體版</a> | <a href="/big5/">繁體版</a> | <a href="/wza/">無障礙</a> | <a href="/login">登錄</a></div>
<div class="header"><img src="/images/logo.png" alt="韶關市人民政府門戶網站"></div>
<div class="nav">
  <ul>
    <li><a href="/">首頁</a></li>
    <li><a href="/zwgk/">政務公開</a></li>
    <li><a href="/zwfw/">政務服務</a></li>
    <li><a href="/hdjl/">互動交流</a></li>
    <li><a href="/zjsg/">走進韶關</a></li>
  </ul>
</div>
<div class="crumb">當前位置：<a href="/">首頁</a> &gt; <a href="/zwgk/">政務公開</a> &gt; <a href="/zwgk/zcwj/">政策文件</a></div>
<div class="main">
  <div class="side">
    <h3>政策文件</h3>
    <ul>
      <li><a href="/zwgk/zcwj/szfwj/">市政府文件</a></li>
      <li><a href="/zwgk/zcwj/szfbgswj/">市政府辦公室文件</a></li>
      <li><a href="/zwgk/zcjd/">政策解讀</a></li>
    </ul>
  </div>
  <div class="article">
    <table class="xxgk-info">
      <tr><td>索引號：</td><td>11440200007017XXXX/2019-00152</td><td>分類：</td><td>教育</td></tr>
      <tr><td>發布機構：</td><td>韶關市人民政府</td><td>成文日期：</td><td>2019-06-12</td></tr>
      <tr><td>文號：</td><td>{_ent(wenhao)}</td><td>發布日期：</td><td>2019-06-18</td></tr>
    </table>
    <h1>{_ent(title)}</h1>
    <div class="info">發布時間：{date}&nbsp;&nbsp;&nbsp;來源：{_ent(source)}&nbsp;&nbsp;&nbsp;【字體：<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>】</div>
    <div class="content" id="zoom">
{body}
    </div>
    <div class="related">
      <h4>相關閱讀</h4>
      <ul>
        <li><a href="/zwgk/zcjd/content/post_1673.html">圖解：《韶關市人民政府關於加快發展學前教育的實施意見》</a></li>
        <li><a href="/zwgk/zcwj/content/post_1520.html">韶關市第三期學前教育行動計劃（2017—2020年）</a></li>
      </ul>
    </div>
    <div class="tools"><a href="javascript:window.print()">【打印本頁】</a> <a href="javascript:window.close()">【關閉窗口】</a></div>
  </div>
</div>
<div class="footer">
  <p>主辦單位：韶關市人民政府辦公室&nbsp;&nbsp;承辦單位：韶關市政務服務數據管理局</p>
  <p>網站標識碼：4402000001&nbsp;&nbsp;粵ICP備05008869號&nbsp;&nbsp;粵公網安備 44020302000101號</p>
  <p>地址：韶關市湞江區風度北路　聯繫電話：0751-8888888</p>
</div>
<script type="text/javascript">
  var _hmt = _hmt || [];
  (function () {{
    var zoom = document.getElementById("zoom");
    document.querySelectorAll(".info a").forEach(function (a, i) {{
      a.onclick = function () {{ zoom.style.fontSize = [20, 16, 14][i] + "px"; }};
    }});
  }})();
</script>
</body>
</html>
"""


def quanzhou_page(title: str, date: str, source: str, wenhao: str, body: str) -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta charset="gb2312">
<meta name="ArticleTitle" content="{_ent(title)}">
<meta name="PubDate" content="{date}">
<meta name="ContentSource" content="{_ent(source)}">
<title>{_ent(title)} - 通知公告 - 泉州市教育局</title>
<link rel="stylesheet" type="text/css" href="/images/style.css">
</head>
<body>
<div class="topbar">歡迎訪問泉州市教育局網站&nbsp;&nbsp;<a href="/">設為首頁</a> | <a href="/">加入收藏</a> | <a href="/jft/">繁體</a> | <a href="/wza/">無障礙瀏覽</a></div>
<div class="banner"><img src="/images/banner_qzjy.jpg" alt="泉州市教育局"></div>
<div class="menu">
  <a href="/">網站首頁</a><a href="/jggk/">機構概況</a><a href="/zwgk/">政務公開</a><a href="/jydt/">教育動態</a><a href="/bsfw/">辦事服務</a><a href="/hdjl/">互動交流</a><a href="/ztzl/">專題專欄</a>
</div>
<div class="location">您現在的位置：<a href="/">首頁</a> &gt;&gt; <a href="/zwgk/">政務公開</a> &gt;&gt; <a href="/zwgk/tzgg/">通知公告</a> &gt;&gt; 正文</div>
<div class="wrap">
  <div class="left">
    <div class="ltit">政務公開</div>
    <ul>
      <li><a href="/zwgk/tzgg/">通知公告</a></li>
      <li><a href="/zwgk/zcwj/">政策文件</a></li>
      <li><a href="/zwgk/ghjh/">規劃計劃</a></li>
      <li><a href="/zwgk/rsxx/">人事信息</a></li>
    </ul>
  </div>
  <div class="right">
    <table class="xxgk" width="100%">
      <tr><td>索 引 號：</td><td>QZ02100-0300-2022-00047</td><td>公開方式：</td><td>主動公開</td></tr>
      <tr><td>發文機關：</td><td>泉州市教育局</td><td>主題分類：</td><td>基礎教育</td></tr>
      <tr><td>文　　號：</td><td>{_ent(wenhao)}</td><td>成文日期：</td><td>2022-04-08</td></tr>
    </table>
    <h1 class="arttitle">{_ent(title)}</h1>
    <div class="artinfo">發布時間：{date}&nbsp;&nbsp;&nbsp;&nbsp;來源：{_ent(source)}&nbsp;&nbsp;&nbsp;&nbsp;瀏覽次數：<span id="hits">3862</span>&nbsp;&nbsp;【<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】</div>
    <div class="artcon" id="zoom">
{body}
    </div>
    <div class="attach">附件下載：<a href="/uploadfiles/2022/04/20220411093015.pdf">泉教基〔2022〕12號.pdf</a></div>
    <div class="prenext">
      <p>上一篇：<a href="/zwgk/tzgg/202204/t20220406_2718.htm">泉州市教育局關於做好2022年義務教育招生入學工作的通知</a></p>
      <p>下一篇：<a href="/zwgk/tzgg/202204/t20220415_2731.htm">泉州市教育局關於開展2022年中小學&ldquo;書香校園&rdquo;創建活動的通知</a></p>
    </div>
    <div class="tools"><a href="javascript:window.print()">【打印本頁】</a>&nbsp;<a href="javascript:window.close()">【關閉窗口】</a></div>
  </div>
</div>
<div class="footer">
  <p>版權所有：泉州市教育局&nbsp;&nbsp;地址：泉州市豐澤區東海大街1號&nbsp;&nbsp;郵編：362000</p>
  <p>閩ICP備05012345號&nbsp;&nbsp;網站標識碼：3505000021&nbsp;&nbsp;閩公網安備 35050302000123號</p>
</div>
<script type="text/javascript">
  function doZoom(size) {{ document.getElementById("zoom").style.fontSize = size + "pt"; }}
  var _hmt = _hmt || [];
  (function () {{
    var hm = document.createElement("script");
    hm.src = "https://hm.baidu.com/hm.js?0a1b2c3d4e5f";
    document.getElementsByTagName("head")[0].appendChild(hm);
  }})();
</script>
</body>
</html>
"""


def wuhua_page(title: str, date: str, source: str, wenhao: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="ArticleTitle" content="{_ent(title)}">
<meta name="PubDate" content="{date}">
<meta name="ContentSource" content="{_ent(source)}">
<title>{_ent(title)}-通知公告-昆明市五华区教育局</title>
<link rel="stylesheet" href="/static/css/base.css">
<script src="/static/js/jquery.min.js"></script>
</head>
<body>
<div class="toolbar"><span>今天是：<span id="today"></span></span><a href="/">设为首页</a> | <a href="/">加入收藏</a> | <a href="/wza/">无障碍浏览</a> | <a href="/app/">移动版</a></div>
<div class="banner"><img src="/static/images/banner_whjy.png" alt="昆明市五华区教育局"></div>
<div class="navbar">
  <ul>
    <li><a href="/">首页</a></li>
    <li><a href="/jgsz/">机构设置</a></li>
    <li><a href="/zwgk/">政务公开</a></li>
    <li><a href="/jyxw/">教育新闻</a></li>
    <li><a href="/zsks/">招生考试</a></li>
    <li><a href="/bsfw/">办事服务</a></li>
    <li><a href="/hdjl/">互动交流</a></li>
  </ul>
</div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/tzgg/">通知公告</a> &gt; 正文</div>
<div class="container">
  <div class="sidebar">
    <h3>政务公开</h3>
    <ul>
      <li><a href="/zwgk/tzgg/">通知公告</a></li>
      <li><a href="/zwgk/zcwj/">政策文件</a></li>
      <li><a href="/zwgk/zcjd/">政策解读</a></li>
      <li><a href="/zwgk/czzj/">财政资金</a></li>
    </ul>
  </div>
  <div class="article">
    <table class="gkxx">
      <tr><th>索引号：</th><td>015112345/2025-00031</td><th>主题分类：</th><td>基础教育</td></tr>
      <tr><th>发布机构：</th><td>昆明市五华区教育局</td><th>成文日期：</th><td>2025-02-26</td></tr>
      <tr><th>文号：</th><td>{_ent(wenhao)}</td><th>有效性：</th><td>有效</td></tr>
    </table>
    <h1 class="title">{_ent(title)}</h1>
    <div class="meta">发布时间：{date}&nbsp;&nbsp;&nbsp;&nbsp;来源：{_ent(source)}&nbsp;&nbsp;&nbsp;&nbsp;阅读量：<span id="views">1275</span>&nbsp;&nbsp;【字号：<a href="javascript:setSize(18)">大</a> <a href="javascript:setSize(16)">中</a> <a href="javascript:setSize(14)">小</a>】</div>
    <div class="article-body" id="zoom">
{body}
    </div>
    <div class="share">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a></div>
    <div class="pager">
      <p>上一篇：<a href="/zwgk/tzgg/202502/t20250220_1184.html">五华区教育局关于做好2025年春季学期开学工作的通知</a></p>
      <p>下一篇：<a href="/zwgk/tzgg/202503/t20250304_1192.html">五华区教育局关于开展2025年中小学校园安全大排查的通知</a></p>
    </div>
    <div class="tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
  </div>
</div>
<div class="footer">
  <p>主办：昆明市五华区教育局&nbsp;&nbsp;地址：昆明市五华区人民中路128号&nbsp;&nbsp;电话：0871-63100000</p>
  <p>滇ICP备10001234号-2&nbsp;&nbsp;网站标识码：5301020012&nbsp;&nbsp;滇公网安备 53010202000321号</p>
</div>
<script type="text/javascript">
  function setSize(px) {{ document.getElementById("zoom").style.fontSize = px + "px"; }}
  document.getElementById("today").innerText = new Date().toLocaleDateString("zh-CN");
  var _hmt = _hmt || [];
  (function () {{
    var hm = document.createElement("script");
    hm.src = "https://hm.baidu.com/hm.js?9f8e7d6c5b4a";
    document.getElementsByTagName("head")[0].appendChild(hm);
  }})();
</script>
</body>
</html>
"""


def yanta_page(title: str, date: str, source: str, wenhao: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta charset="gbk">
<meta name="SiteName" content="西安市雁塔区人民政府">
<meta name="ColumnName" content="政策文件">
<meta name="ArticleTitle" content="{_ent(title)}">
<meta name="PubDate" content="{date}">
<meta name="ContentSource" content="{_ent(source)}">
<title>{_ent(title)}-西安市雁塔区人民政府</title>
<link rel="stylesheet" href="/xayt/css/index.css">
<link rel="stylesheet" href="/xayt/css/xxgk.css">
</head>
<body>
<div id="top"><div class="w1200"><span class="fl">欢迎访问西安市雁塔区人民政府网站！</span><span class="fr"><a href="/">网站首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/wza/">长者模式</a> | <a href="/en/">English</a></span></div></div>
<div id="head"><div class="w1200"><a href="/"><img src="/xayt/images/logo.png" alt="西安市雁塔区人民政府"></a>
  <form class="search" action="/search/" method="get"><input type="text" name="q" placeholder="请输入关键词"><button type="submit">搜索</button></form></div></div>
<div id="nav"><div class="w1200">
  <a href="/">首页</a><a href="/zjyt/">走进雁塔</a><a href="/zwgk/" class="on">信息公开</a><a href="/zwfw/">政务服务</a><a href="/gzhd/">公众互动</a><a href="/ztzl/">专题专栏</a>
</div></div>
<div class="w1200">
  <div class="position">您当前的位置：<a href="/">首页</a> &gt; <a href="/zwgk/">信息公开</a> &gt; <a href="/zwgk/bmxxgk/">部门信息公开</a> &gt; <a href="/zwgk/bmxxgk/qjyj/">区教育局</a> &gt; <a href="/zwgk/bmxxgk/qjyj/zcwj/">政策文件</a></div>
  <div class="xxgk-left">
    <div class="tit">区教育局</div>
    <ul>
      <li><a href="/zwgk/bmxxgk/qjyj/jgzn/">机构职能</a></li>
      <li class="on"><a href="/zwgk/bmxxgk/qjyj/zcwj/">政策文件</a></li>
      <li><a href="/zwgk/bmxxgk/qjyj/ghjh/">规划计划</a></li>
      <li><a href="/zwgk/bmxxgk/qjyj/czzj/">财政资金</a></li>
      <li><a href="/zwgk/bmxxgk/qjyj/jyfw/">教育服务</a></li>
    </ul>
  </div>
  <div class="xxgk-right">
    <div class="xxgk-table">
      <dl><dt>索&nbsp;引&nbsp;号：</dt><dd>11610113MB2950XXXX/2025-000045</dd><dt>信息分类：</dt><dd>教育/政策文件</dd></dl>
      <dl><dt>发布机构：</dt><dd>雁塔区教育局</dd><dt>生成日期：</dt><dd>2025-03-10</dd></dl>
      <dl><dt>名&emsp;&emsp;称：</dt><dd class="long">{_ent(title)}</dd></dl>
      <dl><dt>文&emsp;&emsp;号：</dt><dd>{_ent(wenhao)}</dd><dt>有&nbsp;效&nbsp;性：</dt><dd>有效</dd></dl>
    </div>
    <h2 class="detail-title">{_ent(title)}</h2>
    <div class="detail-info"><span>发布时间：{date}</span><span>来源：{_ent(source)}</span><span>浏览次数：<em id="clicks">2096</em></span><span class="font">字体：<a href="javascript:fontZoom(18)">大</a> <a href="javascript:fontZoom(16)">中</a> <a href="javascript:fontZoom(14)">小</a></span></div>
    <div class="detail-con" id="zoom">
{body}
    </div>
    <div class="detail-qrcode"><img src="/xayt/images/qrcode.png" alt="扫一扫在手机打开当前页"><p>扫一扫在手机打开当前页</p></div>
    <div class="detail-bottom"><a href="javascript:window.print()">打印本页</a> | <a href="javascript:window.close()">关闭窗口</a></div>
    <div class="xgwj">
      <h4>相关文件</h4>
      <ul>
        <li><a href="/zwgk/bmxxgk/qjyj/zcwj/202502/t20250218_6021.html">雁塔区教育局关于印发2025年全区教育工作要点的通知</a></li>
        <li><a href="/zwgk/bmxxgk/qjyj/zcwj/202503/t20250320_6077.html">雁塔区教育局关于开展2025年中小学&ldquo;劳动周&rdquo;活动的通知</a></li>
      </ul>
    </div>
  </div>
</div>
<div id="footer"><div class="w1200">
  <p>主办单位：西安市雁塔区人民政府办公室&nbsp;&nbsp;承办单位：西安市雁塔区政务服务中心</p>
  <p>地址：西安市雁塔区雁塔中路80号&nbsp;&nbsp;联系电话：029-85512345&nbsp;&nbsp;网站标识码：6101130012</p>
  <p>陕ICP备05012345号-1&nbsp;&nbsp;陕公网安备 61011302000456号</p>
</div></div>
<script type="text/javascript" src="/xayt/js/jquery-1.12.4.min.js"></script>
<script type="text/javascript">
  function fontZoom(size) {{ document.getElementById("zoom").style.fontSize = size + "px"; }}
</script>
</body>
</html>
"""


def minghu_page(title: str, date: str, source: str, wenhao: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="renderer" content="webkit">
<meta name="SiteName" content="东临市明湖区教育局">
<meta name="ArticleTitle" content="{_ent(title)}">
<meta name="PubDate" content="{date}">
<meta name="ContentSource" content="{_ent(source)}">
<title>{_ent(title)}_通知公告_东临市明湖区教育局</title>
<link rel="stylesheet" href="/mhjy/css/global.css">
</head>
<body>
<div class="site-top"><div class="inner"><span>东临市明湖区教育局欢迎您！</span><a href="/">网站首页</a> | <a href="/wza/">无障碍</a> | <a href="/m/">手机版</a> | <a href="/rss/">RSS订阅</a></div></div>
<div class="site-head"><div class="inner"><img src="/mhjy/images/logo.png" alt="东临市明湖区教育局"><span class="slogan">办好人民满意的教育</span></div></div>
<div class="site-nav"><div class="inner">
  <a href="/">首页</a><a href="/jyzx/">教育资讯</a><a href="/xxgk/">信息公开</a><a href="/zsks/">招生考试</a><a href="/aqjy/">平安校园</a><a href="/jxhd/">家校互动</a><a href="/lxwm/">联系我们</a>
</div></div>
<div class="inner">
  <div class="path">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; <a href="/xxgk/tzgg/">通知公告</a></div>
  <div class="col-left">
    <div class="col-title">信息公开</div>
    <ul>
      <li><a href="/xxgk/tzgg/">通知公告</a></li>
      <li><a href="/xxgk/zcwj/">政策文件</a></li>
      <li><a href="/xxgk/jytj/">教育统计</a></li>
      <li><a href="/xxgk/ysjs/">预算决算</a></li>
    </ul>
    <div class="col-title">热点专题</div>
    <ul>
      <li><a href="/ztzl/pajy/">平安校园建设</a></li>
      <li><a href="/ztzl/sjzx/">双减在行动</a></li>
    </ul>
  </div>
  <div class="col-main">
    <div class="art-head">
      <h1>{_ent(title)}</h1>
      <div class="art-attr">发布时间：{date}&nbsp;|&nbsp;来源：{_ent(source)}&nbsp;|&nbsp;点击量：<span id="hits">3417</span>&nbsp;|&nbsp;<a href="javascript:window.print()">打印</a></div>
    </div>
    <div class="art-body" id="zoom">
{body}
    </div>
    <div class="art-file">附件：<a href="/uploads/2025/05/mhjf2025-15.docx">明湖区中小学校园欺凌防治工作实施方案.docx</a></div>
    <div class="art-nav">
      <p>上一条：<a href="/xxgk/tzgg/202505/t20250512_3306.html">明湖区教育局关于做好2025年中小学防溺水工作的通知</a></p>
      <p>下一条：<a href="/xxgk/tzgg/202505/t20250527_3321.html">明湖区教育局关于开展2025年“最美班主任”推选活动的通知</a></p>
    </div>
  </div>
</div>
<div class="site-foot"><div class="inner">
  <p>主办单位：东临市明湖区教育局&nbsp;&nbsp;地址：东临市明湖区湖滨路66号&nbsp;&nbsp;电话：（0000）86120000</p>
  <p>ICP备案号：备00000000号-1&nbsp;&nbsp;网站标识码：0000000001</p>
</div></div>
<script type="text/javascript">
  (function () {{
    var hits = document.getElementById("hits");
    hits.innerText = parseInt(hits.innerText, 10) + 1;
  }})();
</script>
</body>
</html>
"""


def sanya_page(title: str, date: str, source: str, wenhao: str, body: str) -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb18030">
<meta name="SiteName" content="三亚市教育局">
<meta name="ColumnName" content="通知公告">
<meta name="ArticleTitle" content="{_ent(title)}">
<meta name="PubDate" content="{date}">
<meta name="ContentSource" content="{_ent(source)}">
<title>{_ent(title)}_三亚市教育局</title>
<link rel="stylesheet" type="text/css" href="/syjy/css/main.css">
</head>
<body>
<div class="sy-top"><div class="inner">您好，欢迎访问三亚市教育局网站！<span class="r"><a href="/">首页</a> | <a href="/wza/">适老化服务</a> | <a href="/m/">手机版</a> | <a href="/rss/">订阅</a></span></div></div>
<div class="sy-head"><div class="inner"><a href="/"><img src="/syjy/images/logo_sy.png" alt="三亚市教育局"></a>
  <div class="sy-search"><form action="/search/" method="get"><input type="text" name="keyword" value="站内搜索"><input type="submit" value="搜 索"></form></div></div></div>
<div class="sy-nav"><div class="inner">
  <ul>
    <li><a href="/">网站首页</a></li>
    <li><a href="/jgzn/">机构职能</a></li>
    <li class="cur"><a href="/zwgk/">政务公开</a></li>
    <li><a href="/jydt/">教育动态</a></li>
    <li><a href="/zsks/">招生考试</a></li>
    <li><a href="/jtjy/">家庭教育</a></li>
    <li><a href="/hdjl/">政民互动</a></li>
  </ul>
</div></div>
<div class="inner">
  <div class="sy-crumb">当前位置：<a href="/">首页</a> &raquo; <a href="/zwgk/">政务公开</a> &raquo; <a href="/zwgk/tzgg/">通知公告</a> &raquo; 正文</div>
  <div class="sy-side">
    <div class="side-tit">政务公开</div>
    <ul>
      <li class="cur"><a href="/zwgk/tzgg/">通知公告</a></li>
      <li><a href="/zwgk/zcfg/">政策法规</a></li>
      <li><a href="/zwgk/zcjd/">政策解读</a></li>
      <li><a href="/zwgk/ghjh/">规划计划</a></li>
      <li><a href="/zwgk/rsxx/">人事信息</a></li>
    </ul>
    <div class="side-tit">专题专栏</div>
    <ul>
      <li><a href="/ztzl/jtjy/">家校社协同育人</a></li>
      <li><a href="/ztzl/sjsj/">“双减”在行动</a></li>
    </ul>
  </div>
  <div class="sy-main">
    <div class="sy-gk">
      <table width="100%" cellspacing="0" cellpadding="0">
        <tr><td class="k">索引号：</td><td>00842XXXX-2/2025-00118</td><td class="k">主题分类：</td><td>教育&middot;家庭教育</td></tr>
        <tr><td class="k">发文机关：</td><td>三亚市教育局、三亚市妇女联合会</td><td class="k">成文日期：</td><td>2025年06月18日</td></tr>
        <tr><td class="k">发文字号：</td><td>{_ent(wenhao)}</td><td class="k">公开方式：</td><td>主动公开</td></tr>
      </table>
    </div>
    <div class="sy-title">{_ent(title)}</div>
    <div class="sy-info">发布时间：{date}&nbsp;&nbsp;&nbsp;&nbsp;来源：{_ent(source)}&nbsp;&nbsp;&nbsp;&nbsp;访问量：<span id="visits">864</span>&nbsp;&nbsp;&nbsp;&nbsp;<a href="javascript:void(0)" onclick="zoom(18)">大</a> <a href="javascript:void(0)" onclick="zoom(16)">中</a> <a href="javascript:void(0)" onclick="zoom(14)">小</a></div>
    <div class="sy-content" id="zoom">
{body}
    </div>
    <div class="sy-fj">相关附件：<a href="/zwgk/tzgg/202506/W020250620164011.pdf">三教〔2025〕118号.pdf</a></div>
    <div class="sy-pn">
      <p>上一条：<a href="/zwgk/tzgg/202506/t20250612_3981.html">三亚市教育局关于做好2025年中小学暑假安全工作的通知</a></p>
      <p>下一条：<a href="/zwgk/tzgg/202506/t20250625_3990.html">三亚市教育局关于公布2025年市级示范家长学校名单的通知</a></p>
    </div>
    <div class="sy-tools"><a href="javascript:window.print()">[打印本页]</a> <a href="javascript:window.close()">[关闭窗口]</a></div>
  </div>
</div>
<div class="sy-foot"><div class="inner">
  <p><a href="/gywm/">关于我们</a> | <a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>
  <p>主办：三亚市教育局&nbsp;&nbsp;地址：三亚市吉阳区新风街298号&nbsp;&nbsp;邮编：572000</p>
  <p>琼ICP备05000123号-1&nbsp;&nbsp;网站标识码：4602000009&nbsp;&nbsp;琼公网安备 46020202000088号</p>
</div></div>
<script type="text/javascript">
  function zoom(px) {{ document.getElementById("zoom").style.fontSize = px + "px"; }}
</script>
</body>
</html>
"""


def yunling_page(title: str, date: str, source: str, wenhao: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=GBK">
<meta name="SiteName" content="南屏市云岭区人民政府">
<meta name="ColumnName" content="部门文件">
<meta name="ArticleTitle" content="{_ent(title)}">
<meta name="PubDate" content="{date}">
<meta name="ContentSource" content="{_ent(source)}">
<title>{_ent(title)}--南屏市云岭区人民政府网</title>
<link rel="stylesheet" type="text/css" href="/ylq/css/style.css">
</head>
<body>
<div class="yl-top"><div class="wrap">今天是 <span id="date"></span>　<a href="/">云岭区人民政府</a> | <a href="/wza/">无障碍阅读</a> | <a href="/jt/">简</a>/<a href="/ft/">繁</a></div></div>
<div class="yl-logo"><div class="wrap"><img src="/ylq/images/logo_yl.png" alt="南屏市云岭区人民政府"></div></div>
<div class="yl-menu"><div class="wrap">
  <a href="/">首页</a> | <a href="/ylgk/">云岭概况</a> | <a href="/zwgk/" class="cur">政务公开</a> | <a href="/bmdt/">部门动态</a> | <a href="/zmhd/">政民互动</a> | <a href="/bsfw/">便民服务</a>
</div></div>
<div class="wrap">
  <div class="yl-pos">当前位置：<a href="/">首页</a> / <a href="/zwgk/">政务公开</a> / <a href="/zwgk/bmwj/">部门文件</a> / <a href="/zwgk/bmwj/jyj/">区教育局</a></div>
  <div class="yl-left">
    <h3>部门文件</h3>
    <ul>
      <li class="cur"><a href="/zwgk/bmwj/jyj/">区教育局</a></li>
      <li><a href="/zwgk/bmwj/wlj/">区文化和旅游局</a></li>
      <li><a href="/zwgk/bmwj/wjj/">区卫生健康局</a></li>
      <li><a href="/zwgk/bmwj/czj/">区财政局</a></li>
    </ul>
    <h3>热点推荐</h3>
    <ul>
      <li><a href="/ztzl/sxxy/">书香云岭</a></li>
      <li><a href="/ztzl/jyqg/">教育强区建设</a></li>
    </ul>
  </div>
  <div class="yl-right">
    <table class="yl-meta" border="0" cellspacing="0" cellpadding="0">
      <tr><td class="l">索&nbsp;引&nbsp;号：</td><td>YLJY-2025-00023</td><td class="l">主题分类：</td><td>教育&middot;基础教育</td></tr>
      <tr><td class="l">发布机构：</td><td>云岭区教育局</td><td class="l">发文日期：</td><td>2025年03月18日</td></tr>
      <tr><td class="l">文&nbsp;&nbsp;&nbsp;&nbsp;号：</td><td>{_ent(wenhao)}</td><td class="l">是否有效：</td><td>是</td></tr>
    </table>
    <div class="yl-title"><h2>{_ent(title)}</h2></div>
    <div class="yl-sub">发布时间：{date}&nbsp;&nbsp;来源：{_ent(source)}&nbsp;&nbsp;[<a href="javascript:fs(18)">大</a> <a href="javascript:fs(16)">中</a> <a href="javascript:fs(14)">小</a>]&nbsp;&nbsp;<a href="javascript:window.print()">打印</a></div>
    <div class="yl-txt" id="zoom">
{body}
    </div>
    <div class="yl-down">附件下载：<a href="/zwgk/bmwj/jyj/202503/P020250321512345.docx">云岭区中小学图书馆建设与阅读推广三年行动方案（2025—2027年）.docx</a></div>
    <div class="yl-link">
      <p>上一篇：<a href="/zwgk/bmwj/jyj/202503/t20250314_5511.html">云岭区教育局关于开展2025年春季学期中小学安全隐患排查的通知</a></p>
      <p>下一篇：<a href="/zwgk/bmwj/jyj/202503/t20250328_5532.html">云岭区教育局关于公布2024年度“书香校园”评选结果的通知</a></p>
    </div>
  </div>
</div>
<div class="yl-foot"><div class="wrap">
  <p>主办：南屏市云岭区人民政府办公室&nbsp;&nbsp;承办：云岭区融媒体中心&nbsp;&nbsp;技术支持：云岭区大数据中心</p>
  <p>网站标识码：0000000099&nbsp;&nbsp;ICP备案号：备00000099号-1&nbsp;&nbsp;公网安备 00000000000099号</p>
</div></div>
<script type="text/javascript">
  function fs(px) {{ document.getElementById("zoom").style.fontSize = px + "px"; }}
  document.getElementById("date").innerHTML = new Date().toLocaleDateString();
</script>
</body>
</html>
"""


def baoding_page(title: str, date: str, source: str, wenhao: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<meta name="SiteName" content="保定市教育局">
<meta name="ColumnName" content="政策文件">
<meta name="ArticleTitle" content="{_ent(title)}">
<meta name="PubDate" content="{date}">
<meta name="ContentSource" content="{_ent(source)}">
<title>{_ent(title)} - 政策文件 - 保定市教育局</title>
<link rel="stylesheet" type="text/css" href="/bdjy/css/public.css">
<link rel="stylesheet" type="text/css" href="/bdjy/css/article.css">
</head>
<body>
<div class="bd-top"><div class="w">保定市教育局欢迎您！<span class="fr"><a href="/">网站首页</a> | <a href="/wza/">无障碍</a> | <a href="/olds/">关怀版</a> | <a href="/m/">移动版</a></span></div></div>
<div class="bd-head"><div class="w"><a href="/"><img src="/bdjy/images/logo_bdjy.png" alt="保定市教育局"></a>
  <form class="bd-search" action="/was5/search.jsp" method="get"><input type="text" name="searchword" placeholder="请输入搜索内容"><input type="submit" value="搜索"></form></div></div>
<div class="bd-nav"><div class="w">
  <a href="/">首页</a><a href="/jggk/">机构概况</a><a href="/xxgk/" class="on">信息公开</a><a href="/jyyw/">教育要闻</a><a href="/zsks/">招生考试</a><a href="/bsfw/">办事服务</a><a href="/hdjl/">互动交流</a>
</div></div>
<div class="w">
  <div class="bd-loc">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; <a href="/xxgk/zcwj/">政策文件</a> &gt; 正文</div>
  <div class="bd-left">
    <h3>信息公开</h3>
    <ul>
      <li><a href="/xxgk/tzgg/">通知公告</a></li>
      <li class="on"><a href="/xxgk/zcwj/">政策文件</a></li>
      <li><a href="/xxgk/zcjd/">政策解读</a></li>
      <li><a href="/xxgk/jytj/">统计数据</a></li>
      <li><a href="/xxgk/czyjs/">财政预决算</a></li>
    </ul>
    <h3>专题专栏</h3>
    <ul>
      <li><a href="/ztzl/sjzxd/">“双减”在行动</a></li>
      <li><a href="/ztzl/jkbd/">健康保定·快乐校园</a></li>
    </ul>
  </div>
  <div class="bd-right">
    <table class="bd-gk" cellspacing="0" cellpadding="0" width="100%">
      <tr><th>索&nbsp;引&nbsp;号：</th><td>000014349/2025-00286</td><th>信息分类：</th><td>基础教育</td></tr>
      <tr><th>发布机构：</th><td>保定市教育局</td><th>成文日期：</th><td>2025-08-20</td></tr>
      <tr><th>文&emsp;&emsp;号：</th><td>{_ent(wenhao)}</td><th>有&nbsp;效&nbsp;性：</th><td>有效</td></tr>
    </table>
    <h1 class="bd-title">{_ent(title)}</h1>
    <div class="bd-info">发布时间：{date}&nbsp;&nbsp;&nbsp;&nbsp;来源：{_ent(source)}&nbsp;&nbsp;&nbsp;&nbsp;浏览次数：<span id="count">5318</span>&nbsp;&nbsp;&nbsp;&nbsp;字号：<a href="javascript:setFont(18)">大</a> <a href="javascript:setFont(16)">中</a> <a href="javascript:setFont(14)">小</a></div>
    <div class="bd-content" id="zoom">
{body}
    </div>
    <div class="bd-fj">附件：<a href="/xxgk/zcwj/202508/P020250822093012.pdf">保定市中小学作业管理办法.pdf</a></div>
    <div class="bd-jd">相关解读：<a href="/xxgk/zcjd/202508/t20250825_8812.html">一图读懂《保定市中小学作业管理办法》</a></div>
    <div class="bd-pn">
      <p>上一篇：<a href="/xxgk/zcwj/202508/t20250815_8790.html">保定市教育局关于做好2025年秋季学期开学工作的通知</a></p>
      <p>下一篇：<a href="/xxgk/zcwj/202509/t20250903_8834.html">保定市教育局关于进一步规范中小学课后服务工作的通知</a></p>
    </div>
    <div class="bd-tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
  </div>
</div>
<div class="bd-foot"><div class="w">
  <p><a href="/gywm/">关于我们</a> | <a href="/wzdt/">网站地图</a> | <a href="/mzsm/">免责声明</a></p>
  <p>主办单位：保定市教育局&nbsp;&nbsp;网站标识码：1306000031&nbsp;&nbsp;冀ICP备05002345号-1&nbsp;&nbsp;冀公网安备 13060202000456号</p>
</div></div>
<script type="text/javascript">
  function setFont(px) {{ document.getElementById("zoom").style.fontSize = px + "px"; }}
</script>
</body>
</html>
"""


def tongxi_page(title: str, date: str, source: str, wenhao: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="SiteName" content="琅川市桐溪区教育局">
<meta name="ColumnName" content="通知公告">
<meta name="ArticleTitle" content="{_ent(title)}">
<meta name="PubDate" content="{date}">
<meta name="ContentSource" content="{_ent(source)}">
<title>{_ent(title)} | 桐溪区教育局</title>
<link rel="stylesheet" href="/txjy/css/site.css">
</head>
<body>
<header class="tx-header">
  <div class="tx-bar"><span>琅川市桐溪区教育局</span><nav class="tx-links"><a href="/">首页</a> · <a href="/wza/">无障碍</a> · <a href="/care/">关怀版</a> · <a href="/m/">手机版</a></nav></div>
  <div class="tx-brand"><img src="/txjy/img/logo.svg" alt="琅川市桐溪区教育局"><span>立德树人　健康成长</span></div>
  <nav class="tx-menu"><a href="/">首页</a><a href="/jyyw/">教育要闻</a><a href="/xxgk/" class="active">信息公开</a><a href="/zsks/">招生考试</a><a href="/jkxy/">健康校园</a><a href="/jxgt/">家校沟通</a><a href="/hdjl/">互动交流</a></nav>
</header>
<main class="tx-main">
  <div class="tx-crumb">当前位置：<a href="/">首页</a> / <a href="/xxgk/">信息公开</a> / <a href="/xxgk/tzgg/">通知公告</a> / 正文</div>
  <aside class="tx-aside">
    <h3>信息公开</h3>
    <ul>
      <li class="active"><a href="/xxgk/tzgg/">通知公告</a></li>
      <li><a href="/xxgk/zcwj/">政策文件</a></li>
      <li><a href="/xxgk/zcjd/">政策解读</a></li>
      <li><a href="/xxgk/jytj/">教育统计</a></li>
    </ul>
    <h3>专题专栏</h3>
    <ul>
      <li><a href="/ztzl/smgl/">睡眠管理在行动</a></li>
      <li><a href="/ztzl/wxxy/">五项管理</a></li>
    </ul>
  </aside>
  <article class="tx-article">
    <dl class="tx-gk">
      <dt>索引号：</dt><dd>TXJY-2025-00127</dd><dt>主题分类：</dt><dd>教育&middot;体育卫生</dd>
      <dt>发布机构：</dt><dd>桐溪区教育局、桐溪区卫生健康局</dd><dt>成文日期：</dt><dd>2025-09-03</dd>
      <dt>文号：</dt><dd>{_ent(wenhao)}</dd><dt>有效性：</dt><dd>有效</dd>
    </dl>
    <h1 class="tx-title">{_ent(title)}</h1>
    <p class="tx-meta">发布时间：{date}　来源：{_ent(source)}　阅读：<span id="reads">2473</span>　字号：<a href="javascript:txFont(18)">大</a> <a href="javascript:txFont(16)">中</a> <a href="javascript:txFont(14)">小</a></p>
    <div class="tx-body" id="zoom">
{body}
    </div>
    <p class="tx-fj">附件：<a href="/xxgk/tzgg/202509/P020250905381200.docx">桐溪区中小学生睡眠管理工作方案.docx</a></p>
    <div class="tx-pn">
      <p>上一篇：<a href="/xxgk/tzgg/202508/t20250828_4412.html">桐溪区教育局关于做好2025年秋季学期开学工作的通知</a></p>
      <p>下一篇：<a href="/xxgk/tzgg/202509/t20250912_4437.html">桐溪区教育局关于开展2025年中小学“开学第一课”活动的通知</a></p>
    </div>
  </article>
</main>
<footer class="tx-footer">
  <p>主办：琅川市桐溪区教育局　地址：琅川市桐溪区桐华路18号　电话：（0000）86230000</p>
  <p>ICP备案号：备00000127号-1　网站标识码：0000000127</p>
</footer>
<script>
  function txFont(px) {{ document.getElementById("zoom").style.fontSize = px + "px"; }}
</script>
</body>
</html>
"""


# --------------------------------------------------------------------------- the documents
@dataclass(frozen=True)
class Doc:
    id: str
    fmt: str            # html | docx | pdf | txt (the file's suffix)
    folder: str         # test | dev: the split, and the output folder under eval/library/
    source: str         # path under eval/library/sources/
    opts: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.id}.{self.fmt}"

    @property
    def source_path(self) -> Path:
        return SRC / self.source

    @property
    def path(self) -> Path:
        """The committed file."""
        return HERE / self.folder / self.name


DOCUMENTS: tuple[Doc, ...] = (
    # ---- test (held out)
    # a government web page, traditional characters, UTF-8
    Doc("shaoguan-preschool-opinions-2019", "html", "test", "shaoguan-preschool-opinions-2019.md",
        dict(page=shaoguan_page, encoding="utf-8", crlf=False, wenhao_attrs=' class="wh"',
             signer="韶關市人民政府")),
    # a Word file: 一、 = Heading 1, （一） = Heading 2
    Doc("yanzhou-special-education-plan-2023-2027", "docx", "test",
        "yanzhou-special-education-plan-2023-2027.md",
        dict(header="兖州区人民政府办公室文件", title="兖州区特殊教育发展提升五年行动计划（2023—2027年）",
             author="兖州区政府办公室", centre_lines=("济宁市兖州区人民政府办公室",),
             centre_prefixes=("兖政办字",))),
    # a PDF with a text layer (STSong-Light), page numbers "— n —", 6 pages
    Doc("county-high-school-14th-action-plan", "pdf", "test", "county-high-school-14th-action-plan.md",
        dict(title="“十四五”县域普通高中发展提升行动计划", author="教育部", banner="教育部等九部门文件",
             banner_size=24, banner_leading=40, wenhao_prefix="教基〔", margins=(3.7, 3.5),
             pages=(6, 6))),
    # GB18030, CRLF line ends, numbering run together
    Doc("tianshui-rural-education-opinions-2005", "txt", "test", "tianshui-rural-education-opinions-2005.txt",
        dict(encoding="gb18030")),
    # ---- dev, second batch (gold: the lib-dev2 lines of eval/library_gold.jsonl)
    # a city education bureau page, TRADITIONAL characters, encoded GBK while the page declares
    # gb2312 (as many government CMSs do; browsers decode the gb2312 label as GBK - a strict gb2312
    # decoder fails on 繁體 characters), CRLF line ends, one table
    Doc("quanzhou-compulsory-education-balance-2022", "html", "dev",
        "dev/quanzhou-compulsory-education-balance-2022.md",
        dict(page=quanzhou_page, encoding="gbk", crlf=True, wenhao_attrs="", signer="泉州市教育局",
             charset_label="gb2312")),
    # a county notice + plan: 一、 = Heading 1, （一） = Heading 2, "牵头单位：/配合单位："
    # paragraphs, one Word table (the 附件 task list)
    Doc("anji-teacher-workforce-plan-2024-2026", "docx", "dev", "dev/anji-teacher-workforce-plan-2024-2026.md",
        dict(header="安吉县人民政府办公室文件", title="安吉县教师队伍建设三年行动计划（2024—2026年）",
             author="安吉县政府办公室", centre_prefixes=("安政办发",),
             flush_prefixes=("牵头单位：", "配合单位：", "附件："), flush_suffixes=("直属单位：",))),
    # a provincial notice + plan with a text layer (STSong-Light), running header from page 2 on,
    # page numbers "— n —"
    Doc("sichuan-student-mental-health-plan-2023-2025", "pdf", "dev",
        "dev/sichuan-student-mental-health-plan-2023-2025.md",
        dict(title="四川省中小学生心理健康促进行动计划（2023—2025年）", author="四川省教育厅",
             banner="四川省教育厅文件", banner_size=26, banner_leading=42, wenhao_prefix="川教〔",
             margins=(3.2, 3.0), running=("川教〔2023〕87号", "四川省中小学生心理健康促进行动计划（2023—2025年）"),
             head_suffixes=("关工委：",), pages=(3, 5))),
    # GB18030, CRLF line ends, numbering run together
    Doc("mianyang-left-behind-children-opinions-2010", "txt", "dev",
        "dev/mianyang-left-behind-children-opinions-2010.txt", dict(encoding="gb18030")),
    # ---- dev, third batch (gold: the lib-dev3 lines of eval/library_gold.jsonl)
    # a municipal notice + 实施方案: 一、 = Heading 1, （一） = Heading 2, numbered 1. paragraphs,
    # "（牵头单位：…；配合单位：…）" paragraphs, one Word table (the indicator table) under 工作目标
    Doc("donglin-group-schooling-plan-2025-2027", "docx", "dev", "dev/donglin-group-schooling-plan-2025-2027.md",
        dict(header="东临市人民政府办公室文件", title="东临市推进基础教育集团化办学实施方案（2025—2027年）",
             author="东临市政府办公室", centre_prefixes=("东政办发", "表1"),
             flush_suffixes=("直属机构：",))),
    # a seven-department notice + 行动计划 with a text layer (STSong-Light), red banner, running
    # header from page 2 on, page numbers, （责任单位：…） after each 行动
    Doc("binchuan-myopia-prevention-plan-2024-2026", "pdf", "dev",
        "dev/binchuan-myopia-prevention-plan-2024-2026.md",
        dict(title="滨川市儿童青少年近视防控攻坚行动计划（2024—2026年）", author="滨川市教育局",
             banner="滨川市教育局文件", banner_size=26, banner_leading=42, wenhao_prefix="滨教体〔",
             margins=(3.3, 3.0), running=("滨教体〔2024〕21号", "滨川市儿童青少年近视防控攻坚行动计划"),
             head_suffixes=("团委：",), pages=(3, 6))),
    # a district education bureau page, SIMPLIFIED characters, UTF-8 with CRLF line ends, the
    # title in an <h1> inside a header block, （责任科室：…；协同单位：…） lines, one table mid-text
    Doc("minghu-anti-bullying-plan-2025", "html", "dev", "dev/minghu-anti-bullying-plan-2025.md",
        dict(page=minghu_page, encoding="utf-8", crlf=True, wenhao_attrs=' class="doc-no"',
             signer="明湖区教育局", charset_label="utf-8")),
    # UTF-8 with a BOM, CRLF line ends: a notice + 工作要点, parts 一、 to 四、, items 1.-14. numbered
    # through, 【牵头单位】/【配合单位】 lines under each item
    Doc("lanxi-education-supervision-points-2025", "txt", "dev",
        "dev/lanxi-education-supervision-points-2025.txt", dict(encoding="utf-8-sig")),
    # ---- test, second batch (gold: the lib-test2 lines of eval/library_gold.jsonl)
    # a municipal notice + plan: 一、 = Heading 1, （一） = Heading 2, 1. = Heading 3 (a short
    # heading line, its text in the next paragraph), one Word table (the 附件 task list)
    Doc("zhuzhou-preschool-action-plan-2025-2027", "docx", "test",
        "test2/zhuzhou-preschool-action-plan-2025-2027.md",
        dict(header="株洲市人民政府办公室文件", title="株洲市学前教育发展提升行动计划（2025—2027年）",
             author="株洲市政府办公室", centre_prefixes=("株政办发",), flush_prefixes=("附件：",))),
    # a provincial 实施意见 with a text layer (STSong-Light), red banner, running header from
    # page 2 on, page numbers, （责任单位：…） after items
    Doc("jiangxi-student-physical-health-opinions-2024", "pdf", "test",
        "test2/jiangxi-student-physical-health-opinions-2024.md",
        dict(title="江西省教育厅等五部门关于进一步加强中小学生体质健康管理工作的实施意见",
             author="江西省教育厅", banner="江西省教育厅文件", banner_size=26, banner_leading=42,
             wenhao_prefix="赣教体字〔", margins=(3.2, 3.0),
             running=("赣教体字〔2024〕11号", "关于进一步加强中小学生体质健康管理工作的实施意见"),
             head_suffixes=("社会发展局：",), pages=(3, 4))),
    # a district education bureau page, SIMPLIFIED characters, UTF-8, one indicator table
    Doc("wuhua-after-school-service-plan-2025-2027", "html", "test",
        "test2/wuhua-after-school-service-plan-2025-2027.md",
        dict(page=wuhua_page, encoding="utf-8", crlf=False, wenhao_attrs=' class="wenhao"',
             signer="五华区教育局")),
    # UTF-8 with a BOM, CRLF line ends, 第一章/第一条 with some articles run together, 附件
    Doc("harbin-school-safety-measures-2024", "txt", "test", "test2/harbin-school-safety-measures-2024.txt",
        dict(encoding="utf-8-sig")),
    # ---- test, third batch (gold: the lib-test3 lines of eval/library_gold.jsonl)
    # a municipal joint notice + 行动方案: 一、 = Heading 1, （一） = Heading 2, numbered 1.
    # paragraphs, "牵头单位：…；配合单位：…" lines, one Word table (the indicator table) in the middle
    Doc("yichang-science-education-plan-2025-2027", "docx", "test",
        "test3/yichang-science-education-plan-2025-2027.md",
        dict(header="宜昌市教育局文件", title="宜昌市中小学科学教育提质行动方案（2025—2027年）",
             author="宜昌市教育局", centre_prefixes=("宜市教发", "表1"),
             flush_prefixes=("牵头单位：",), flush_suffixes=("市直各学校：",))),
    # a municipal government office 实施意见 with a text layer (STSong-Light), red banner, running
    # header from page 2 on, page numbers, "（市教育局牵头，……配合）" after items, an 附件 list
    Doc("zunyi-vocational-integration-opinions-2024", "pdf", "test",
        "test3/zunyi-vocational-integration-opinions-2024.md",
        dict(title="遵义市人民政府办公室关于深化职业教育产教融合的实施意见", author="遵义市人民政府办公室",
             banner="遵义市人民政府办公室文件", banner_size=24, banner_leading=40,
             wenhao_prefix="遵府办发〔", margins=(3.5, 3.2),
             running=("遵府办发〔2024〕37号", "遵义市人民政府办公室"),
             head_suffixes=("工作部门：",), pages=(4, 6))),
    # a district government portal page, SIMPLIFIED characters, encoded GBK and declaring
    # charset=gbk, one task-list table, "（责任科室：…）" lines
    Doc("yanta-labor-education-plan-2025-2027", "html", "test",
        "test3/yanta-labor-education-plan-2025-2027.md",
        dict(page=yanta_page, encoding="gbk", crlf=False, wenhao_attrs=' class="wh"',
             signer="雁塔区教育局", charset_label="gbk")),
    # UTF-8 without a BOM, CRLF line ends: a notice, then a 办法 with 第一章/第一条 (one article a
    # paragraph, full-width indents), items （一）… on their own lines
    Doc("nantong-student-aid-measures-2024", "txt", "test", "test3/nantong-student-aid-measures-2024.txt",
        dict(encoding="utf-8")),
    # ---- test, fourth batch (gold: the lib-test4 lines of eval/library_gold.jsonl)
    # a municipal government office notice + 三年行动方案: 一、 = Heading 1, （一） = Heading 2,
    # numbered 1． paragraphs, no unit lines in the text: lead/partner units only in the 附件 task
    # list, one Word table (序号/任务/牵头单位/配合单位/完成时限) at the end
    Doc("jinzhong-school-canteen-plan-2025-2027", "docx", "test",
        "test4/jinzhong-school-canteen-plan-2025-2027.md",
        dict(header="晋中市人民政府办公室文件", title="晋中市中小学校食堂管理提升三年行动方案（2025—2027年）",
             author="晋中市政府办公室", centre_prefixes=("市政办发",), flush_prefixes=("附件：",))),
    # a joint notice + 五年规划 with a text layer (STSong-Light): red banner, running header from
    # page 2 on, page numbers, 第一章/第一节 headings, "专栏" indicator and project lines (no table)
    Doc("yinchuan-education-digital-15th-fyp-2026-2030", "pdf", "test",
        "test4/yinchuan-education-digital-15th-fyp-2026-2030.md",
        dict(title="银川市教育数字化发展“十五五”规划", author="银川市教育局",
             banner="银川市教育局文件", banner_size=25, banner_leading=41, wenhao_prefix="银教发〔",
             margins=(3.4, 3.1), running=("银教发〔2026〕19号", "银川市教育数字化发展“十五五”规划"),
             head_suffixes=("市属各学校：",), pages=(4, 6))),
    # a city education bureau page, SIMPLIFIED characters, encoded GB18030 and declaring
    # charset=gb18030 by http-equiv only, LF line ends, "主责单位：…；协同单位：…" lines, one table
    # (家长学校课程设置)
    Doc("sanya-family-education-plan-2025-2027", "html", "test",
        "test4/sanya-family-education-plan-2025-2027.md",
        dict(page=sanya_page, encoding="gb18030", crlf=False, wenhao_attrs=' class="doc-no"',
             signer="三亚市教育局　　三亚市妇女联合会", charset_label="gb18030")),
    # GB18030, CRLF line ends: a four-department notice, then a 规定 of 第一条…第二十九条 without
    # chapters, full-width indents, several articles run together on one line
    Doc("dalian-off-campus-training-rules-2025", "txt", "test",
        "test4/dalian-off-campus-training-rules-2025.txt", dict(encoding="gb18030")),
    # ---- test, fifth batch (gold: the lib-test5 lines of eval/library_gold.jsonl)
    # a municipal government office 实施意见: 一、 = Heading 1, （一） = Heading 2, "一是……二是……"
    # prose, units only as "（市教育局牵头，……按职责分工负责）" after each task, four 专栏 boxes
    # as Word tables (专栏1 an indicator table under a caption paragraph, 专栏2-4 one-column boxes)
    Doc("wuhu-study-practice-opinions-2025", "docx", "test",
        "test5/wuhu-study-practice-opinions-2025.md",
        dict(header="芜湖市人民政府办公室文件",
             title="芜湖市人民政府办公室关于推进中小学研学实践教育高质量发展的实施意见",
             author="芜湖市政府办公室", centre_prefixes=("芜政办", "专栏1", "（此件公开发布）"),
             flush_suffixes=("直属单位：",))),
    # a district two-department notice + 三年行动方案 with a text layer (STSong-Light): red banner,
    # running header from page 2 on, page numbers, 一、/（一） headings with 1. and （1） paragraphs,
    # the lead/partner units only in the 附件 task list as numbered lines (no table)
    Doc("fanchang-warm-campus-plan-2025-2027", "pdf", "test",
        "test5/fanchang-warm-campus-plan-2025-2027.md",
        dict(title="繁昌区乡村温馨校园建设三年行动方案（2025—2027年）", author="繁昌区教育局",
             banner="繁昌区教育局文件", banner_size=26, banner_leading=42, wenhao_prefix="繁教〔",
             margins=(3.3, 3.0), running=("繁教〔2025〕23号", "繁昌区乡村温馨校园建设三年行动方案"),
             head_suffixes=("各中小学校：",), pages=(5, 10))),
    # a city education bureau page, SIMPLIFIED characters, UTF-8 with a BOM, declaring
    # charset=UTF-8 by http-equiv only, LF line ends: a 管理办法 of 第一章…/第一条… as plain
    # paragraphs, （一） items on their own lines, one table (书面家庭作业时长) inside 第十一条
    Doc("baoding-homework-measures-2025", "html", "test",
        "test5/baoding-homework-measures-2025.md",
        dict(page=baoding_page, encoding="utf-8-sig", crlf=False, wenhao_attrs=' class="bd-wh"',
             signer="保定市教育局", charset_label="UTF-8")),
    # GBK, CRLF line ends: a notice + 工作要点, parts 一、 to 五、, items 1.-21. numbered through,
    # "——责任科室：…；协同单位：…" lines under each item
    Doc("baotou-private-education-points-2026", "txt", "test",
        "test5/baotou-private-education-points-2026.txt", dict(encoding="gbk")),
    # ---- dev, fourth batch (gold: the lib-dev4 lines of eval/library_gold.jsonl)
    # a municipal government office notice + 管理办法: 第一章… = Heading 1, 第一条… articles as plain
    # paragraphs (full-width space after the number), one Word table (检查项目/责任主体/频次) inside
    # 第十七条, duties only in prose ("由…负责", "…负责…")
    Doc("heting-school-bus-safety-measures-2025", "docx", "dev",
        "dev/heting-school-bus-safety-measures-2025.md",
        dict(header="鹤汀市人民政府办公室文件", title="鹤汀市中小学幼儿园校车安全管理办法",
             author="鹤汀市政府办公室", centre_prefixes=("鹤政办规", "（此件公开发布）"),
             flush_suffixes=("市政府各部门：",))),
    # a municipal education bureau 实施意见 with a text layer (STSong-Light), red banner, running
    # header from page 2 on, page numbers, 一、 and （一） headings, "（XX牵头，YY配合）" after
    # sections, a 时间安排 list (no table)
    Doc("nanping-compulsory-enrollment-opinions-2025", "pdf", "dev",
        "dev/nanping-compulsory-enrollment-opinions-2025.md",
        dict(title="南屏市教育局关于做好2025年义务教育招生入学工作的实施意见", author="南屏市教育局",
             banner="南屏市教育局文件", banner_size=26, banner_leading=42, wenhao_prefix="南教基〔",
             margins=(3.4, 3.1), running=("南教基〔2025〕17号", "南屏市2025年义务教育招生入学工作实施意见"),
             head_suffixes=("市直各学校：",), pages=(3, 5))),
    # a district government portal page, SIMPLIFIED characters, encoded GBK and declaring
    # charset=GBK (upper case, http-equiv only), CRLF line ends, "（责任单位：…；配合单位：…）"
    # lines, one table (馆藏配备标准) inside a task
    Doc("yunling-school-library-plan-2025-2027", "html", "dev",
        "dev/yunling-school-library-plan-2025-2027.md",
        dict(page=yunling_page, encoding="gbk", crlf=True, wenhao_attrs=' class="yl-wh"',
             signer="云岭区教育局　　云岭区文化和旅游局", charset_label="GBK")),
    # ---- dev, sixth batch (gold: the lib-dev6 lines of eval/library_gold.jsonl)
    # a four-bureau joint notice + 实施方案: 一、 = Heading 1, （一） = Heading 2, 1. and （1）
    # paragraphs, "（责任单位：…）" paragraphs after the tasks, one Word table (主要指标: 指标/2024年基线/
    # 2026年目标/属性) under 工作目标
    Doc("langchuan-lab-teaching-plan-2025-2026", "docx", "dev",
        "dev/langchuan-lab-teaching-plan-2025-2026.md",
        dict(header="琅川市教育局文件", title="琅川市加强中小学实验教学实施方案（2025—2026年）",
             author="琅川市教育局", centre_prefixes=("琅教发", "表1", "（此件主动公开）"),
             flush_suffixes=("市直各学校：",))),
    # a municipal education bureau notice + 管理规定 with a text layer (STSong-Light): red banner,
    # running header from page 2 on, page numbers, 第一章… headings, 第一条… articles, （一）…（五）
    # items inside three articles, duties only in prose ("X负责……")
    Doc("langchuan-education-energy-saving-rules-2025", "pdf", "dev",
        "dev/langchuan-education-energy-saving-rules-2025.md",
        dict(title="琅川市教育系统节约能源管理规定", author="琅川市教育局",
             banner="琅川市教育局文件", banner_size=26, banner_leading=42, wenhao_prefix="琅教规〔",
             margins=(3.3, 3.0), running=("琅教规〔2025〕3号", "琅川市教育系统节约能源管理规定"),
             head_suffixes=("直属单位：",), pages=(7, 10))),
    # a district education bureau page, SIMPLIFIED characters, UTF-8 without a BOM, LF line ends,
    # declaring charset=utf-8 by <meta charset> only: a two-bureau notice + 工作方案, 一、 parts,
    # （一）X。 items run into their paragraphs, "牵头单位：…；配合单位：…；完成时限：…" lines,
    # a 时间安排 part with 阶段 dates
    Doc("tongxi-student-sleep-plan-2025", "html", "dev", "dev/tongxi-student-sleep-plan-2025.md",
        dict(page=tongxi_page, encoding="utf-8", crlf=False, wenhao_attrs=' class="tx-wh"',
             signer="桐溪区教育局　　桐溪区卫生健康局", charset_label="utf-8")),
)
# (The markdown documents - data/corpus/*.md, dev/*.md, test/*.md - are written directly.)

BY_ID = {d.id: d for d in DOCUMENTS}


# --------------------------------------------------------------------------- sources
def strip_comment(text: str) -> str:
    return re.sub(r"\A<!--.*?-->\s*", "", text, flags=re.S)


def source_text(doc: Doc) -> str:
    """The source's text as the gold is written against it (first-line comment dropped)."""
    return strip_comment(doc.source_path.read_text(encoding="utf-8"))


def source_lines(doc: Doc) -> list[str]:
    return [ln.rstrip() for ln in source_text(doc).splitlines() if ln.strip()]


def kind(line: str) -> tuple[str, str]:
    for mark, k in (("#### ", "h3"), ("### ", "h2"), ("## ", "h1"), ("# ", "title"), ("> ", "right")):
        if line.startswith(mark):
            return k, line[len(mark):]
    if line.startswith("| "):
        return "row", line
    return "p", line


def cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def grouped(lines: list[str]):
    """Yield (kind, text) with consecutive table rows merged into ("table", [[cells], ...])."""
    rows: list[list[str]] = []
    for ln in lines:
        k, text = kind(ln)
        if k == "row":
            rows.append(cells(text))
            continue
        if rows:
            yield "table", rows
            rows = []
        yield k, text
    if rows:
        yield "table", rows


# --------------------------------------------------------------------------- html
def _ent(s: str) -> str:
    """Escape as a CMS would: entities for quotes and dashes (parsers must unescape)."""
    s = html.escape(s, quote=False)
    return (s.replace("“", "&ldquo;").replace("”", "&rdquo;").replace("—", "&mdash;")
             .replace("·", "&middot;"))


def build_html(doc: Doc, out: Path) -> None:
    o = doc.opts
    lines = source_lines(doc)
    title, info, wenhao = lines[0], lines[1], lines[2]
    date, source = re.match(r"[發发]布[時时][間间]：(.+?)\s+[來来]源：(.+)", info).groups()
    body = [f'<p{o["wenhao_attrs"]} style="text-align:center">{_ent(wenhao)}</p>']
    for k, item in grouped(lines[3:]):
        if k == "table":
            head, *rest = item
            trs = ["<tr>" + "".join(f'<td style="background:#eee"><b>{_ent(c)}</b></td>' for c in head) + "</tr>"]
            trs += ["<tr>" + "".join(f"<td>{_ent(c)}</td>" for c in r) + "</tr>" for r in rest]
            body.append('<table border="1" cellspacing="0" cellpadding="4" align="center" width="90%">'
                        + "".join(trs) + "</table>")
        elif re.match(r"^[一二三四五六七八九十]+、", item):
            body.append(f'<p style="text-indent:2em"><strong>{_ent(item)}</strong></p>')
        elif re.match(r"^表\d", item):
            body.append(f'<p style="text-align:center"><b>{_ent(item)}</b></p>')
        elif item == o["signer"] or re.match(r"^\d{4}年\d+月\d+日$", item):
            body.append(f'<p style="text-align:right">{_ent(item)}</p>')
        elif item.endswith("：") and "教育局" in item:  # addressees
            body.append(f"<p>{_ent(item)}</p>")
        else:
            body.append(f'<p style="text-indent:2em">&nbsp;&nbsp;{_ent(item)}</p>')
    page = o["page"](title, date, source, wenhao, "\n".join("      " + b for b in body))
    if o["crlf"]:
        page = page.replace("\n", "\r\n")
    out.write_bytes(page.encode(o["encoding"]))


# --------------------------------------------------------------------------- docx
def build_docx(doc: Doc, out: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    o = doc.opts
    d = Document()
    for style_name, font, size in (("Normal", "仿宋_GB2312", 16), ("Heading 1", "黑体", 16),
                                   ("Heading 2", "楷体_GB2312", 16), ("Title", "方正小标宋简体", 22)):
        st = d.styles[style_name]
        st.font.size = Pt(size)
        st.font.name = font
        st.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)

    header = d.sections[0].header.paragraphs[0]
    header.text = o["header"]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # page number field in the footer
    fp = d.sections[0].footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.add_run("— ")
    run = fp.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    fp.add_run(" —")

    centre_lines = o.get("centre_lines", ())
    centre_prefixes = o.get("centre_prefixes", ())
    flush_prefixes = o.get("flush_prefixes", ())
    flush_suffixes = o.get("flush_suffixes", ())
    for k, item in grouped(source_lines(doc)):
        if k == "table":
            table = d.add_table(rows=len(item), cols=len(item[0]))
            table.style = "Table Grid"
            for r, row in enumerate(item):
                for c, val in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = val
                    if r == 0:
                        for run_ in cell.paragraphs[0].runs:
                            run_.bold = True
        elif k == "title":
            p = d.add_paragraph(item, style="Title")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif k == "h1":
            d.add_heading(item, level=1)
        elif k == "h2":
            d.add_heading(item, level=2)
        elif k == "h3":
            d.add_heading(item, level=3)
        elif k == "right":
            p = d.add_paragraph(item)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            p = d.add_paragraph(item)
            if item in centre_lines or (centre_prefixes and item.startswith(centre_prefixes)):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif ((flush_prefixes and item.startswith(flush_prefixes))
                  or (flush_suffixes and item.endswith(flush_suffixes))):
                pass  # flush left, as such lines usually are
            else:
                p.paragraph_format.first_line_indent = Pt(32)
    d.core_properties.title = o["title"]
    d.core_properties.author = o["author"]
    d.save(out)


# --------------------------------------------------------------------------- pdf
def build_pdf(doc: Doc, out: Path) -> None:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    o = doc.opts
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    base = dict(fontName="STSong-Light", fontSize=15, leading=27, wordWrap="CJK")
    body = ParagraphStyle("body", firstLineIndent=30, alignment=TA_JUSTIFY, **base)
    head = ParagraphStyle("head", **base)
    title = ParagraphStyle("title", alignment=TA_CENTER, spaceBefore=8, spaceAfter=14,
                           **{**base, "fontSize": 19, "leading": 30})
    right = ParagraphStyle("right", alignment=TA_RIGHT, **base)
    center = ParagraphStyle("center", alignment=TA_CENTER, **base)
    running = o.get("running")  # (left, right) header text from page 2 on, or None
    head_suffixes = o.get("head_suffixes", ())

    def first_page(canvas, d):
        canvas.saveState()
        canvas.setFont("STSong-Light", 12)
        canvas.drawCentredString(A4[0] / 2, 1.4 * cm, f"— {d.page} —")
        canvas.restoreState()

    def later_pages(canvas, d):
        first_page(canvas, d)
        if not running:
            return
        canvas.saveState()
        canvas.setFont("STSong-Light", 10.5)
        canvas.drawString(2.8 * cm, A4[1] - 2.2 * cm, running[0])
        canvas.drawRightString(A4[0] - 2.6 * cm, A4[1] - 2.2 * cm, running[1])
        canvas.setLineWidth(0.5)
        canvas.line(2.8 * cm, A4[1] - 2.4 * cm, A4[0] - 2.6 * cm, A4[1] - 2.4 * cm)
        canvas.restoreState()

    story = []
    for k, item in grouped(source_lines(doc)):
        text = html.escape(item, quote=False)
        if k == "title":
            story.append(Paragraph(text, title))
        elif k in ("h1", "h2", "h3"):
            story.append(Paragraph(f"<b>{text}</b>", head))
        elif k == "right":
            story.append(Paragraph(text.replace("  ", "&nbsp;&nbsp;&nbsp;&nbsp;"), right))
        elif item == o["banner"]:
            story.append(Paragraph(f'<font size="{o["banner_size"]}" color="red">{text}</font>',
                                   ParagraphStyle("red", alignment=TA_CENTER,
                                                  **{**base, "leading": o["banner_leading"]})))
        elif item.startswith(o["wenhao_prefix"]):
            story.append(Paragraph(text, center))
            story.append(Spacer(1, 10))
        elif head_suffixes and item.endswith(head_suffixes):
            story.append(Paragraph(text, head))
        else:
            story.append(Paragraph(text, body))
    top, bottom = o["margins"]
    SimpleDocTemplate(str(out), pagesize=A4, leftMargin=2.8 * cm, rightMargin=2.6 * cm,
                      topMargin=top * cm, bottomMargin=bottom * cm,
                      title=o["title"], author=o["author"]).build(
        story, onFirstPage=first_page, onLaterPages=later_pages)


# --------------------------------------------------------------------------- txt
def build_txt(doc: Doc, out: Path) -> None:
    text = doc.source_path.read_text(encoding="utf-8")
    out.write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode(doc.opts["encoding"]))


BUILDERS: dict[str, Callable[[Doc, Path], None]] = {
    "html": build_html, "docx": build_docx, "pdf": build_pdf, "txt": build_txt}


def build(doc: Doc, root: Path = HERE) -> Path:
    """Build `doc` into root/<folder>/<id>.<fmt> and return that path."""
    out = root / doc.folder / doc.name
    out.parent.mkdir(parents=True, exist_ok=True)
    BUILDERS[doc.fmt](doc, out)
    return out


def same_content(built: Path, committed: Path) -> bool:
    """Byte-identical, or (for .docx/.pdf, which carry timestamps) the same text for read_document."""
    if built.read_bytes() == committed.read_bytes():
        return True
    if built.suffix not in (".docx", ".pdf"):
        return False
    sys.path.insert(0, str(MAIN))
    from assistant.readers import read_document  # noqa: PLC0415
    return read_document(built) == read_document(committed)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(MAIN))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ids", nargs="*", help="document ids (default: all)")
    ap.add_argument("--out", type=Path, help="build into OUT/test/ and OUT/dev/ instead of eval/library/")
    ap.add_argument("--check", action="store_true",
                    help="build into a temporary folder and compare with the committed files")
    args = ap.parse_args(argv)
    unknown = [i for i in args.ids if i not in BY_ID]
    if unknown:
        ap.error(f"unknown document id(s): {', '.join(unknown)} (known: {', '.join(BY_ID)})")
    docs = [BY_ID[i] for i in args.ids] if args.ids else list(DOCUMENTS)
    if args.check:
        bad = 0
        with tempfile.TemporaryDirectory() as tmp:
            for doc in docs:
                built = build(doc, Path(tmp))
                if not doc.path.exists():
                    verdict = "MISSING (not committed)"
                elif built.read_bytes() == doc.path.read_bytes():
                    verdict = "identical bytes"
                elif same_content(built, doc.path):
                    verdict = "same text"
                else:
                    verdict = "DIFFERS"
                bad += verdict.startswith(("MISSING", "DIFFERS"))
                print(f"{_shown(doc.path)}  {verdict}")
        print("OK" if not bad else f"{bad} document(s) differ")
        return 1 if bad else 0
    root = args.out.resolve() if args.out else HERE
    for doc in docs:
        path = build(doc, root)
        print(f"{_shown(path)}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
