//! The cart, the purchases and the products viewed.

use super::{count, facts, money, yes_no};
use crate::components::common::Section;
use crate::format;
use crate::format::join;
use crate::liveperson::model::{AppSession, Product, ProductLine};
use yew::prelude::*;

/// One product as a line: name, category and SKU, quantity × price.
fn product(p: Option<&Product>, quantity: Option<f64>, locale: Option<&str>) -> Html {
    let name = p
        .and_then(|p| p.name.clone())
        .unwrap_or_else(|| "Unnamed product".into());
    let about = p.and_then(|p| {
        let sku = p.sku.as_deref().map(|s| format!("SKU {s}"));
        join(&[p.category.as_deref(), sku.as_deref()], " · ")
    });
    let price = p.and_then(|p| p.price).map(|v| format::amount(v, locale));
    let figures = match (quantity, price) {
        (Some(q), Some(p)) => Some(format!("{} × {p}", format::count(q))),
        (Some(q), None) => Some(format!("× {}", format::count(q))),
        (None, price) => price,
    };
    html! {
        <li class="vs-lp-product">
            <span class="vs-text vs-lp-product-name">{ name }</span>
            if let Some(about) = about { { " " }<span class="vs-text vs-lp-muted">{ about }</span> }
            if let Some(figures) = figures { { " " }<span class="vs-lp-figures">{ figures }</span> }
        </li>
    }
}

fn products(lines: &[ProductLine], locale: Option<&str>) -> Html {
    if lines.is_empty() {
        return Html::default();
    }
    html! {
        <ul class="vs-lp-products">
            { for lines.iter().map(|l| product(l.product.as_ref(), l.quantity, locale)) }
        </ul>
    }
}

pub fn commerce(s: &AppSession, locale: Option<&str>) -> Html {
    let wrapper = s.cart.as_ref();
    let cart = s.cart_status();
    let cart_facts = facts(vec![
        ("Items", count(cart.and_then(|c| c.num_items))),
        ("Total", money(cart.and_then(|c| c.total), locale)),
        (
            "Last change",
            money(wrapper.and_then(|w| w.last_total_change), locale),
        ),
    ]);
    let cart_products = cart.map(|c| c.products.as_slice()).unwrap_or_default();
    let has_cart = cart_facts.is_some() || !cart_products.is_empty();
    let viewed: Vec<&Product> = s
        .viewed_product
        .iter()
        .filter_map(|v| v.product.as_ref())
        .collect();
    if !has_cart && s.purchases.is_empty() && viewed.is_empty() {
        return Html::default();
    }
    let badge = format::count(s.purchases.len() as f64);
    html! {
        <Section title="Cart & purchases" class="vs-lp-commerce"
                 badge={(!s.purchases.is_empty()).then(|| AttrValue::from(format!("{badge} bought")))}>
            if has_cart {
                <h4 class="vs-lp-sub">{ "Cart" }</h4>
                { cart_facts }
                { products(cart_products, locale) }
            }
            if !s.purchases.is_empty() {
                <h4 class="vs-lp-sub">{ "Purchases" }</h4>
                <ul class="vs-lp-items">
                    { for s.purchases.iter().map(|p| {
                        let title = p.order_id.as_deref().map(|o| format!("Order {o}"))
                            .unwrap_or_else(|| "Order".into());
                        html! {
                            <li class="vs-lp-item">
                                <span class="vs-text vs-lp-item-title">{ title }</span>
                                { facts(vec![
                                    ("Total", money(p.total.or_else(|| p.cart.as_ref()?.total), locale)),
                                    ("Items", count(p.cart.as_ref().and_then(|c| c.num_items))),
                                    ("Purchase no.", p.purchase_seq_id.clone()),
                                    ("Repeated order ID", yes_no(p.repeated_order_id.filter(|&r| r))),
                                ]) }
                                { products(p.cart.as_ref().map(|c| c.products.as_slice()).unwrap_or_default(), locale) }
                            </li>
                        }
                    }) }
                </ul>
            }
            if !viewed.is_empty() {
                <h4 class="vs-lp-sub">{ "Viewed products" }</h4>
                <ul class="vs-lp-products">
                    { for viewed.iter().map(|p| product(Some(p), None, locale)) }
                </ul>
            }
        </Section>
    }
}
