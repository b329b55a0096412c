<?xml version="1.0" encoding="UTF-8"?>
<!--
  feedkit: shows an RSS 2.0 or Atom 1.0 feed as a readable page when someone opens it in a
  browser. Feed readers ignore this file. Only text is shown (titles, dates, summaries); the
  articles' HTML is never copied into the page.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="about" select="/rss/channel/description | /atom:feed/atom:subtitle"/>
  <xsl:variable name="site" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
  <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>

  <xsl:template match="/">
    <html lang="{/rss/channel/language | /atom:feed/@xml:lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <style>
          body { font: 17px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
                 color: #1f2328; background: #fff; }
          main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
          .note { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 8px;
                  padding: .9rem 1.1rem; margin-bottom: 2rem; }
          .note code { word-break: break-all; background: #fff; padding: .1rem .3rem; }
          h1 { font-size: 1.8rem; margin: 0 0 .3rem; }
          article { border-top: 1px solid #d0d7de; padding: 1rem 0; }
          article h2 { font-size: 1.2rem; margin: 0 0 .2rem; }
          time { color: #59636e; font-size: .9rem; }
          a { color: #0969da; }
          @media (prefers-color-scheme: dark) {
            body { color: #e6edf3; background: #0d1117; }
            .note { background: #2b2111; border-color: #9e6a03; }
            .note code { background: #0d1117; }
            a { color: #4493f8; }
          }
        </style>
      </head>
      <body>
        <main>
          <p class="note">
            <strong>This is a web feed.</strong> To subscribe, copy this address into your
            feed reader (for example NetNewsWire, Feedly, Inoreader or Thunderbird):
            <code><xsl:value-of select="$self"/></code>
          </p>
          <h1><xsl:value-of select="$title"/></h1>
          <p><xsl:value-of select="$about"/></p>
          <p><a href="{$site}">Visit the site</a></p>
          <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <article>
      <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
      <time><xsl:value-of select="pubDate"/></time>
      <p><xsl:value-of select="description"/></p>
    </article>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article>
      <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
      <time><xsl:value-of select="substring(atom:published, 1, 10)"/></time>
      <p><xsl:value-of select="atom:summary"/></p>
    </article>
  </xsl:template>
</xsl:stylesheet>
